/** @module A provider-native subagent: a child node and provider thread that never end the parent run. */
import { deriveId, type RuntimeEvent } from '../../contracts/index.ts'
import type { Draft } from './draft.ts'
import type { DecideContext } from './context.ts'
import { done, rootOf, type Ingested } from './ingest-support.ts'

export const subagentUpdated = (draft: Draft, event: Extract<RuntimeEvent, { type: 'subagent.updated' }>, ctx: DecideContext): Ingested => {
  const run = draft.get('runs', event.runId)
  if (!run) return done(draft, `unknown run ${event.runId}`)
  const provider = run.provider
  const nodeId = deriveId.subagentNode(provider, event.nativeTaskId)
  const existing = draft.get('subagents', nodeId)
  const parentNode = event.parentNativeItemId ? draft.get('nodes', deriveId.itemNode(provider, event.parentNativeItemId)) : undefined
  const rootNodeId = rootOf(draft, run) ?? nodeId
  const terminal = ['completed', 'failed', 'cancelled', 'interrupted'].includes(event.status)
  const childThreadId = event.nativeThreadId ? deriveId.providerThread(provider, event.nativeThreadId) : null
  if (childThreadId && event.nativeThreadId) {
    const child = draft.get('providerThreads', childThreadId)
    draft.put('provider-thread.updated', {
      id: childThreadId,
      provider,
      providerSessionId: child?.providerSessionId ?? null,
      appThreadId: null,
      ownerNodeId: nodeId,
      nativeThreadRef: event.nativeThreadId,
      nativeConversationHeadRef: child?.nativeConversationHeadRef ?? null,
      status: terminal ? 'idle' : 'active',
      firstRunOrdinal: null,
      lastRunOrdinal: null,
      handoffIds: [],
      forkedFrom: null,
      createdAt: child?.createdAt ?? ctx.now,
      updatedAt: ctx.now,
    })
  }
  draft.put('subagent.updated', {
    id: nodeId,
    threadId: run.threadId,
    runId: run.id,
    parentNodeId: existing?.parentNodeId ?? parentNode?.id ?? rootNodeId,
    origin: 'provider_native',
    createdBy: 'agent',
    provider,
    providerThreadId: childThreadId,
    nativeTaskRef: { provider, nativeId: event.nativeTaskId, strength: 'strong' },
    prompt: event.prompt,
    title: event.title,
    model: event.model,
    status: event.status,
    result: event.result,
    startedAt: existing?.startedAt ?? ctx.now,
    completedAt: terminal ? ctx.now : null,
    updatedAt: ctx.now,
  })
  const node = draft.get('nodes', nodeId)
  draft.put('node.updated', {
    id: nodeId,
    threadId: run.threadId,
    runId: run.id,
    parentNodeId: node?.parentNodeId ?? parentNode?.id ?? rootNodeId,
    rootNodeId,
    kind: 'subagent',
    status: event.status === 'pending' ? 'pending' : event.status,
    countsForRun: false,
    providerThreadId: childThreadId,
    providerTurnId: null,
    nativeItemRef: { provider, nativeId: event.nativeTaskId, strength: 'strong' },
    runtimeRequestId: null,
    startedAt: node?.startedAt ?? ctx.now,
    completedAt: terminal ? ctx.now : null,
  })
  const itemId = deriveId.item(provider, `subagent:${event.nativeTaskId}`)
  const item = draft.get('turnItems', itemId)
  draft.put('turn-item.updated', {
    id: itemId,
    threadId: run.threadId,
    runId: run.id,
    nodeId,
    providerThreadId: childThreadId,
    parentItemId: event.parentNativeItemId ? deriveId.item(provider, event.parentNativeItemId) : null,
    ordinal: item?.ordinal ?? draft.nextItemOrdinal(),
    status: event.status,
    visibility: 'local',
    sourceThreadId: null,
    startedAt: item?.startedAt ?? ctx.now,
    completedAt: terminal ? ctx.now : null,
    updatedAt: ctx.now,
    content: { type: 'subagent', subagentId: nodeId, provider, prompt: event.prompt, result: event.result },
  })
  return done(draft)
}
