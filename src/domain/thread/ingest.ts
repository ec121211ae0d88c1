/**
 * @module Turning a runner's canonical runtime events into domain events. An event that no
 * longer applies (a late terminal of a superseded attempt, items of a rolled-back run) is
 * dropped with a reason rather than refused, so one stale event never blocks a batch.
 */
import {
  deriveId,
  type EffectBody,
  type ExecutionNode,
  type NodeId,
  type NodeKind,
  type Run,
  type RuntimeEvent,
  type RuntimeItemContent,
  type TurnItemContent,
} from '../../contracts/index.ts'
import { Draft, accepted, type Accepted } from './draft.ts'
import type { ThreadState } from './state.ts'
import type { DecideContext } from './context.ts'
import { isActive } from './queries.ts'
import { closeOpenWork, finishRun, refreshWaiting, startRun } from './run-lifecycle.ts'

export type IngestContext = DecideContext & {
  epoch: number
  /** The outbox body of an effect the event refers to. */
  effectBody: (effectId: string) => EffectBody | undefined
}

export type Ingested = Accepted & { dropped: string | null }

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

const done = (draft: Draft, dropped: string | null = null): Ingested => ({ ...accepted(draft), dropped })

const rootOf = (draft: Draft, run: Run): NodeId | null => {
  const attempt = run.activeAttemptId ? draft.get('attempts', run.activeAttemptId) : undefined
  return attempt?.rootNodeId ?? run.rootNodeId
}

export const ingest = (state: ThreadState, event: RuntimeEvent, ctx: IngestContext): Ingested => {
  const draft = new Draft(state)
  if (state.thread === null) return done(draft, 'thread does not exist')
  const now = event.at ?? ctx.now
  const at = { ...ctx, now }
  const threadId = state.thread.id
  switch (event.type) {
    case 'effect.accepted':
    case 'effect.completed':
      return done(draft)
    case 'effect.failed': {
      const body = ctx.effectBody(event.effectId)
      if (!body) return done(draft, `unknown effect ${event.effectId}`)
      if (body.kind === 'turn.start') {
        const run = draft.get('runs', body.runId)
        if (!run || !isActive(run.status) || run.activeAttemptId !== body.attemptId) return done(draft, 'run no longer waits for this start')
        finishRun(draft, run, { status: 'failed', failure: event.failure, usage: null }, at)
      }
      return done(draft)
    }
    case 'session.started': {
      const id = deriveId.providerSession(threadId, event.provider, ctx.epoch)
      const existing = draft.get('providerSessions', id)
      draft.put('provider-session.updated', {
        id,
        threadId,
        provider: event.provider,
        status: 'ready',
        model: event.model,
        runnerEpoch: ctx.epoch,
        releaseReason: null,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
        lastError: null,
      })
      return done(draft)
    }
    case 'session.released': {
      const session = draft.get('providerSessions', deriveId.providerSession(threadId, event.provider, ctx.epoch))
      if (!session) return done(draft, 'no such session')
      draft.put('provider-session.updated', {
        ...session,
        status: event.reason === 'runtime_error' ? 'error' : 'stopped',
        releaseReason: event.reason,
        lastError: event.failure,
        updatedAt: now,
      })
      return done(draft)
    }
    case 'provider-thread.bound': {
      const run = draft.get('runs', event.runId)
      if (!run) return done(draft, `unknown run ${event.runId}`)
      const id = deriveId.providerThread(event.provider, event.nativeThreadId)
      const existing = draft.get('providerThreads', id)
      draft.put('provider-thread.updated', {
        id,
        provider: event.provider,
        providerSessionId: deriveId.providerSession(threadId, event.provider, ctx.epoch),
        appThreadId: threadId,
        ownerNodeId: null,
        nativeThreadRef: event.nativeThreadId,
        nativeConversationHeadRef: event.nativeConversationHeadRef ?? existing?.nativeConversationHeadRef ?? null,
        status: isActive(run.status) ? 'active' : 'idle',
        firstRunOrdinal: existing?.firstRunOrdinal ?? run.ordinal,
        lastRunOrdinal: Math.max(existing?.lastRunOrdinal ?? 0, run.ordinal),
        handoffIds: existing?.handoffIds ?? [],
        forkedFrom: existing?.forkedFrom ?? null,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      })
      draft.put('run.updated', { ...run, providerThreadId: id })
      const attempt = run.activeAttemptId ? draft.get('attempts', run.activeAttemptId) : undefined
      if (attempt) draft.put('run-attempt.updated', { ...attempt, providerThreadId: id })
      if (draft.thread.activeProviderThreadId !== id) draft.putThread('thread.updated', { ...draft.thread, activeProviderThreadId: id, updatedAt: now })
      return done(draft)
    }
    case 'turn.started': {
      const run = draft.get('runs', event.runId)
      const attempt = draft.get('attempts', event.attemptId)
      if (!run || !attempt || run.activeAttemptId !== attempt.id || !isActive(run.status)) return done(draft, 'turn of an attempt that is not active')
      const providerTurnId = deriveId.providerTurn(run.provider, event.nativeTurnId)
      const ordinal = draft.all('providerTurns').filter((t) => t.providerThreadId === run.providerThreadId).length + 1
      draft.put('provider-turn.updated', {
        id: providerTurnId,
        providerThreadId: run.providerThreadId,
        nodeId: attempt.rootNodeId,
        runAttemptId: attempt.id,
        nativeTurnRef: event.nativeTurnId,
        ordinal,
        status: 'running',
        startedAt: now,
        completedAt: null,
      })
      draft.put('run-attempt.updated', { ...attempt, status: 'running', providerTurnId, providerThreadId: run.providerThreadId })
      const root = draft.get('nodes', attempt.rootNodeId)
      if (root) draft.put('node.updated', { ...root, status: 'running', providerTurnId, providerThreadId: run.providerThreadId })
      if (run.status === 'starting') draft.put('run.updated', { ...run, status: 'running' })
      return done(draft)
    }
    case 'item.updated':
      return itemUpdated(draft, event, at)
    case 'request.opened': {
      const run = draft.get('runs', event.runId)
      if (!run || !isActive(run.status)) return done(draft, 'request for a run that is not active')
      const requestId = deriveId.request(run.provider, event.nativeRequestId)
      if (draft.get('runtimeRequests', requestId)) return done(draft, 'request already open')
      const nodeId = deriveId.requestNode(requestId)
      const parent = event.nativeItemId ? draft.get('nodes', deriveId.itemNode(run.provider, event.nativeItemId)) : undefined
      const rootNodeId = rootOf(draft, run) ?? nodeId
      const attempt = run.activeAttemptId ? draft.get('attempts', run.activeAttemptId) : undefined
      const isQuestion = event.kind === 'user_input'
      draft.put('node.updated', {
        id: nodeId,
        threadId,
        runId: run.id,
        parentNodeId: parent?.id ?? rootNodeId,
        rootNodeId,
        kind: isQuestion ? 'user_input_request' : 'approval_request',
        status: 'waiting',
        countsForRun: false,
        providerThreadId: run.providerThreadId,
        providerTurnId: attempt?.providerTurnId ?? null,
        nativeItemRef: { provider: run.provider, nativeId: event.nativeRequestId, strength: 'strong' },
        runtimeRequestId: requestId,
        startedAt: now,
        completedAt: null,
      })
      draft.put('runtime-request.updated', {
        id: requestId,
        threadId,
        runId: run.id,
        nodeId,
        providerTurnId: attempt?.providerTurnId ?? null,
        nativeRequestRef: event.nativeRequestId,
        kind: event.kind,
        status: 'pending',
        responseCapability: { type: 'live', runnerEpoch: ctx.epoch },
        prompt: event.prompt,
        detail: event.detail,
        questions: event.questions,
        availableDecisions: event.availableDecisions,
        response: null,
        expiresAt: ctx.requestExpiryMs === null ? null : now + ctx.requestExpiryMs,
        createdAt: now,
        resolvedAt: null,
      })
      const content: TurnItemContent = isQuestion
        ? { type: 'user_input_request', requestId, questions: event.questions ?? [] }
        : { type: 'approval_request', requestId, requestKind: event.kind, prompt: event.prompt }
      draft.put('turn-item.updated', {
        id: deriveId.requestItem(requestId),
        threadId,
        runId: run.id,
        nodeId,
        providerThreadId: run.providerThreadId,
        parentItemId: event.nativeItemId ? deriveId.item(run.provider, event.nativeItemId) : null,
        ordinal: draft.nextItemOrdinal(),
        status: 'waiting',
        visibility: 'local',
        sourceThreadId: null,
        startedAt: now,
        completedAt: null,
        updatedAt: now,
        content,
      })
      refreshWaiting(draft, run.id)
      return done(draft)
    }
    case 'request.closed': {
      const request = draft.all('runtimeRequests').find((r) => r.nativeRequestRef === event.nativeRequestId)
      if (!request) return done(draft, 'unknown request')
      if (request.status !== 'pending') return done(draft)
      draft.put('runtime-request.updated', {
        ...request,
        status: event.status,
        responseCapability:
          event.status === 'resolved' ? request.responseCapability : { type: 'not_resumable', reason: event.reason === 'run_interrupted' ? 'run_interrupted' : 'turn_ended' },
        resolvedAt: now,
      })
      const node = draft.get('nodes', request.nodeId)
      const nodeStatus = event.status === 'resolved' ? 'completed' : 'cancelled'
      if (node) draft.put('node.updated', { ...node, status: nodeStatus, completedAt: now })
      const item = draft.get('turnItems', deriveId.requestItem(request.id))
      if (item) draft.put('turn-item.updated', { ...item, status: nodeStatus, completedAt: now, updatedAt: now })
      refreshWaiting(draft, request.runId)
      return done(draft)
    }
    case 'subagent.updated':
      return subagentUpdated(draft, event, at)
    case 'usage.updated': {
      const run = draft.get('runs', event.runId)
      if (!run) return done(draft, `unknown run ${event.runId}`)
      draft.put('run.updated', { ...run, usage: event.usage })
      return done(draft)
    }
    case 'turn.completed':
      return turnCompleted(draft, event, at)
    case 'checkpoint.captured': {
      const scopeId = deriveId.checkpointScope(threadId)
      if (!draft.get('checkpointScopes', scopeId)) {
        draft.put('checkpoint-scope.created', { id: scopeId, threadId, runId: null, kind: 'root_run', cwd: draft.thread.worktreePath, createdAt: now })
      }
      const checkpointId = deriveId.checkpoint(scopeId, event.appRunOrdinal)
      draft.put('checkpoint.captured', {
        id: checkpointId,
        threadId,
        scopeId,
        runId: event.runId,
        appRunOrdinal: event.appRunOrdinal,
        ref: event.ref,
        status: 'ready',
        files: event.files,
        capturedAt: now,
      })
      const run = event.runId ? draft.get('runs', event.runId) : undefined
      if (run) {
        draft.put('run.updated', { ...run, checkpointId })
        draft.put('turn-item.updated', {
          id: deriveId.signalItem(run.id, 'checkpoint', 1),
          threadId,
          runId: run.id,
          nodeId: run.rootNodeId,
          providerThreadId: run.providerThreadId,
          parentItemId: null,
          ordinal: draft.get('turnItems', deriveId.signalItem(run.id, 'checkpoint', 1))?.ordinal ?? draft.nextItemOrdinal(),
          status: 'completed',
          visibility: 'local',
          sourceThreadId: null,
          startedAt: now,
          completedAt: now,
          updatedAt: now,
          content: { type: 'checkpoint', checkpointId, files: event.files.length },
        })
      }
      return done(draft)
    }
    case 'workspace.features':
      if (draft.thread.checkpoints !== event.checkpoints) draft.putThread('thread.updated', { ...draft.thread, checkpoints: event.checkpoints, updatedAt: now })
      return done(draft)
    default: {
      const never: never = event
      throw new Error(`unhandled runtime event ${String(never)}`)
    }
  }
}

const itemUpdated = (draft: Draft, event: Extract<RuntimeEvent, { type: 'item.updated' }>, ctx: DecideContext): Ingested => {
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

const subagentUpdated = (draft: Draft, event: Extract<RuntimeEvent, { type: 'subagent.updated' }>, ctx: DecideContext): Ingested => {
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

const turnCompleted = (draft: Draft, event: Extract<RuntimeEvent, { type: 'turn.completed' }>, ctx: IngestContext): Ingested => {
  const run = draft.get('runs', event.runId)
  const attempt = draft.get('attempts', event.attemptId)
  if (!run || !attempt) return done(draft, 'terminal for an unknown run or attempt')
  if (run.activeAttemptId !== attempt.id) return done(draft, 'terminal of a superseded attempt')
  if (!isActive(run.status)) return done(draft, `run is already ${run.status}`)
  const turnId = event.nativeTurnId ? deriveId.providerTurn(run.provider, event.nativeTurnId) : attempt.providerTurnId
  // A child (subagent) turn finishing is never the run's end.
  if (attempt.providerTurnId && turnId !== attempt.providerTurnId) return done(draft, 'terminal of a child turn')
  if (turnId) {
    const turn = draft.get('providerTurns', turnId)
    if (turn) draft.put('provider-turn.updated', { ...turn, status: event.status, completedAt: ctx.now })
  }
  if (event.nativeConversationHeadRef && run.providerThreadId) {
    const providerThread = draft.get('providerThreads', run.providerThreadId)
    if (providerThread) draft.put('provider-thread.updated', { ...providerThread, nativeConversationHeadRef: event.nativeConversationHeadRef, updatedAt: ctx.now })
  }
  const current = draft.get('runs', run.id) as Run
  if (current.pendingRestart && current.interruptRequestedAt === null) {
    draft.put('run-attempt.updated', { ...attempt, status: event.status, completedAt: ctx.now })
    const root = draft.get('nodes', attempt.rootNodeId)
    if (root) draft.put('node.updated', { ...root, status: event.status, completedAt: ctx.now })
    // The old turn is over: nothing it opened (a request above all) may stay live into the new attempt.
    closeOpenWork(draft, current, event.status, ctx)
    startRun(draft, { ...current, usage: event.usage ?? current.usage }, ctx, 'steering_restart', [current.pendingRestart.messageId])
    return done(draft)
  }
  finishRun(draft, current, { status: event.status, failure: event.failure, usage: event.usage }, ctx)
  return done(draft)
}
