/**
 * @module Turning a runner's canonical runtime events into domain events. An event that no
 * longer applies (a late terminal of a superseded attempt, items of a rolled-back run) is
 * dropped with a reason rather than refused, so one stale event never blocks a batch.
 */
import { deriveId, type RuntimeEvent, type TurnItemContent } from '../../contracts/index.ts'
import { Draft } from './draft.ts'
import type { ThreadState } from './state.ts'
import { isActive } from './queries.ts'
import { finishRun, refreshWaiting } from './run-lifecycle.ts'
import { done, rootOf, type IngestContext, type Ingested } from './ingest-support.ts'
import { itemUpdated } from './ingest-items.ts'
import { subagentUpdated } from './ingest-subagents.ts'
import { turnCompleted } from './ingest-turns.ts'

export type { IngestContext, Ingested } from './ingest-support.ts'

/** The handoffs a run carried to its provider thread. */
const handoffsOf = (draft: Draft, runId: string) => draft.all('contextHandoffs').filter((h) => h.targetRunId === runId).map((h) => h.id)

/** The source provider thread a run's native fork started from, if the run resolved one. */
const nativeForkOf = (draft: Draft, runId: string) => {
  const transfer = draft.all('contextTransfers').find((t) => t.type === 'fork' && t.targetRunId === runId && t.resolution === 'native_fork')
  const source = transfer?.origin?.providerThread
  return transfer && source ? { providerThreadId: source.id, providerTurnId: null, checkpointId: transfer.sourcePoint.checkpointId } : null
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
        handoffIds: [...new Set([...(existing?.handoffIds ?? []), ...handoffsOf(draft, run.id)])],
        forkedFrom: existing?.forkedFrom ?? nativeForkOf(draft, run.id),
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
        // Only an item that exists (Codex's request_user_input call never becomes an item).
        parentItemId: parent && event.nativeItemId ? deriveId.item(run.provider, event.nativeItemId) : null,
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
