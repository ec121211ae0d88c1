/** @module A provider item (message, reasoning, tool call, plan, …) as a node, a turn item and, for text, a message. */
import { deriveId, type ExecutionNode, type NodeKind, type RuntimeEvent, type RuntimeItemContent, type TurnItemContent } from '../../contracts/index.ts'
import type { Draft } from './draft.ts'
import type { DecideContext } from './context.ts'
import { done, rootOf, type Ingested } from './ingest-support.ts'

const NODE_KIND: Record<RuntimeItemContent['type'], NodeKind> = {
  assistant_message: 'assistant_message',
  reasoning: 'reasoning',
  command_execution: 'tool_call',
  file_change: 'tool_call',
  web_search: 'tool_call',
  dynamic_tool: 'tool_call',
  proposed_plan: 'plan',
  todo_list: 'todo_list',
  error: 'system',
  generic: 'system',
}

export const itemUpdated = (draft: Draft, event: Extract<RuntimeEvent, { type: 'item.updated' }>, ctx: DecideContext): Ingested => {
  const run = draft.get('runs', event.runId)
  if (!run) return done(draft, `unknown run ${event.runId}`)
  if (run.status === 'rolled_back') return done(draft, 'item of a rolled-back run')
  const provider = run.provider
  const nodeId = deriveId.itemNode(provider, event.nativeItemId)
  const itemId = deriveId.item(provider, event.nativeItemId)
  const existingNode = draft.get('nodes', nodeId)
  const existingItem = draft.get('turnItems', itemId)
  const parentNode = event.parentNativeItemId ? draft.get('nodes', deriveId.itemNode(provider, event.parentNativeItemId)) : undefined
  const rootNodeId = existingNode?.rootNodeId ?? rootOf(draft, run) ?? nodeId
  const attempt = run.activeAttemptId ? draft.get('attempts', run.activeAttemptId) : undefined
  const streaming = event.status === 'running'
  const node: ExecutionNode = {
    id: nodeId,
    threadId: run.threadId,
    runId: run.id,
    parentNodeId: existingNode?.parentNodeId ?? parentNode?.id ?? rootNodeId,
    rootNodeId,
    kind: NODE_KIND[event.content.type],
    status: event.status,
    countsForRun: false,
    providerThreadId: run.providerThreadId,
    providerTurnId: existingNode?.providerTurnId ?? attempt?.providerTurnId ?? null,
    nativeItemRef: { provider, nativeId: event.nativeItemId, strength: 'strong' },
    runtimeRequestId: null,
    startedAt: existingNode?.startedAt ?? ctx.now,
    completedAt: streaming ? null : ctx.now,
  }
  draft.put('node.updated', node)
  const c = event.content
  let content: TurnItemContent
  switch (c.type) {
    case 'assistant_message': {
      const messageId = deriveId.itemMessage(provider, event.nativeItemId)
      const existing = draft.get('messages', messageId)
      draft.put('message.updated', {
        id: messageId,
        threadId: run.threadId,
        runId: run.id,
        nodeId,
        role: 'assistant',
        text: c.text,
        attachments: [],
        streaming,
        createdAt: existing?.createdAt ?? ctx.now,
        updatedAt: ctx.now,
      })
      content = { type: 'assistant_message', messageId, text: c.text, streaming }
      break
    }
    case 'reasoning':
      content = { type: 'reasoning', text: c.text, streaming }
      break
    case 'proposed_plan':
    case 'todo_list': {
      const planId = deriveId.plan(provider, event.nativeItemId)
      const base = { id: planId, threadId: run.threadId, runId: run.id, nodeId, status: streaming ? ('active' as const) : ('completed' as const) }
      if (c.type === 'proposed_plan') {
        draft.put('plan.updated', { ...base, kind: 'proposed_plan', markdown: c.markdown })
        content = { type: 'proposed_plan', planId, markdown: c.markdown, streaming }
      } else {
        draft.put('plan.updated', { ...base, kind: 'todo_list', steps: c.steps, explanation: c.explanation })
        content = { type: 'todo_list', planId, steps: c.steps, explanation: c.explanation }
      }
      break
    }
    default:
      content = c
  }
  draft.put('turn-item.updated', {
    id: itemId,
    threadId: run.threadId,
    runId: run.id,
    nodeId,
    providerThreadId: run.providerThreadId,
    parentItemId: existingItem?.parentItemId ?? (event.parentNativeItemId ? deriveId.item(provider, event.parentNativeItemId) : null),
    ordinal: existingItem?.ordinal ?? draft.nextItemOrdinal(),
    status: event.status,
    visibility: 'local',
    sourceThreadId: null,
    startedAt: existingItem?.startedAt ?? ctx.now,
    completedAt: streaming ? null : ctx.now,
    updatedAt: ctx.now,
    content,
  })
  return done(draft)
}
