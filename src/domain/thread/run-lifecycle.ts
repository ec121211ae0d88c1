/**
 * @module How runs start, end and give way to the next. Only the root turn's terminal of the
 * active attempt ends a run; every path here leaves the run, its attempt, its nodes and its
 * pending requests in a state that says what happened.
 */
import {
  deriveId,
  type ConversationMessage,
  type ProviderFailure,
  type Run,
  type RunAttempt,
  type AttemptReason,
  type TokenUsage,
} from '../../contracts/index.ts'
import type { Draft } from './draft.ts'
import type { DecideContext } from './context.ts'
import { activeRun, isActive, pendingRequestsOf, providerThreadFor, queuedRuns } from './queries.ts'
import { addRunSignal } from './run-signals.ts'
import { planRunContext, settleRunTransfers } from './context-plan.ts'

type Terminal = 'completed' | 'interrupted' | 'failed' | 'cancelled'

/** Starts `run` now with a new attempt, or leaves it queued waiting for a runner. */
export const startRun = (draft: Draft, run: Run, ctx: DecideContext, reason: AttemptReason, messageIds = [run.userMessageId]): Run => {
  if (ctx.runnerEpoch === null) {
    return draft.put('run.updated', { ...run, status: 'queued', queueReason: 'awaiting_runner' })
  }
  const attemptOrdinal = (run.activeAttemptId ? (draft.get('attempts', run.activeAttemptId)?.attemptOrdinal ?? 0) : 0) + 1
  const attemptId = deriveId.attempt(run.id, attemptOrdinal)
  const rootNodeId = deriveId.rootNode(run.id, attemptOrdinal)
  const providerThread = providerThreadFor(draft, run.provider)
  const attempt: RunAttempt = {
    id: attemptId,
    runId: run.id,
    attemptOrdinal,
    rootNodeId,
    provider: run.provider,
    providerThreadId: providerThread?.id ?? null,
    providerTurnId: null,
    reason,
    status: 'pending',
    messageIds,
    startedAt: ctx.now,
    completedAt: null,
    runnerEpoch: ctx.runnerEpoch,
  }
  draft.put('run-attempt.created', attempt)
  draft.put('node.updated', {
    id: rootNodeId,
    threadId: run.threadId,
    runId: run.id,
    parentNodeId: null,
    rootNodeId,
    kind: 'root_turn',
    status: 'pending',
    countsForRun: true,
    providerThreadId: providerThread?.id ?? null,
    providerTurnId: null,
    nativeItemRef: null,
    runtimeRequestId: null,
    startedAt: ctx.now,
    completedAt: null,
  })
  const started = draft.put('run.updated', {
    ...run,
    status: 'starting',
    queuePosition: null,
    queueReason: null,
    activeAttemptId: attemptId,
    rootNodeId,
    providerThreadId: providerThread?.id ?? run.providerThreadId,
    startedAt: run.startedAt ?? ctx.now,
    runnerEpoch: ctx.runnerEpoch,
    pendingRestart: null,
  })
  const thread = draft.thread
  const message = draft.get('messages', messageIds[0] ?? run.userMessageId) as ConversationMessage
  // Context is chosen once per run: a restarted attempt continues the provider thread the first one fed.
  const context = reason === 'initial' ? planRunContext(draft, run, providerThread, ctx) : { handoffText: null, fork: null }
  if (context.handoffText !== null) {
    const handoffs = draft.all('contextHandoffs').filter((h) => h.targetRunId === run.id)
    draft.put('run.updated', { ...started, contextHandoffId: handoffs.at(-1)?.id ?? null })
  }
  draft.effect({
    kind: 'turn.start',
    runId: run.id,
    attemptId,
    runOrdinal: run.ordinal,
    modelSelection: run.modelSelection,
    runtimeMode: thread.runtimeMode,
    interactionMode: thread.interactionMode,
    message: { messageId: message.id, text: message.text, attachments: message.attachments },
    providerThread: providerThread
      ? {
          id: providerThread.id,
          provider: providerThread.provider,
          nativeThreadRef: providerThread.nativeThreadRef,
          nativeConversationHeadRef: providerThread.nativeConversationHeadRef,
        }
      : null,
    handoffText: context.handoffText,
    worktreePath: thread.worktreePath,
    fork: context.fork,
  })
  return draft.get('runs', run.id) as Run
}

/** Starts the head of the queue when nothing is active, and tells the rest why they wait. */
export const startNextQueued = (draft: Draft, ctx: DecideContext): void => {
  if (activeRun(draft)) return
  const next = queuedRuns(draft)[0]
  if (next) startRun(draft, next, ctx, 'initial')
  const reason = activeRun(draft) ? 'behind_active_run' : 'awaiting_runner'
  for (const run of queuedRuns(draft)) {
    if (run.queueReason !== reason) draft.put('run.updated', { ...run, queueReason: reason })
  }
}

/** Ends the run's open nodes, items, streaming messages and pending requests (not its root). */
export const closeOpenWork = (draft: Draft, run: Run, status: Terminal, ctx: DecideContext): void => {
  const nodeStatus = status === 'completed' ? 'cancelled' : status
  for (const node of draft.all('nodes')) {
    if (node.runId !== run.id || node.countsForRun) continue
    if (node.status === 'pending' || node.status === 'running' || node.status === 'waiting') {
      draft.put('node.updated', { ...node, status: nodeStatus, completedAt: ctx.now })
    }
  }
  for (const item of draft.all('turnItems')) {
    if (item.runId !== run.id) continue
    if (item.status === 'pending' || item.status === 'running' || item.status === 'waiting') {
      const content =
        item.content.type === 'assistant_message' || item.content.type === 'reasoning' || item.content.type === 'proposed_plan'
          ? { ...item.content, streaming: false }
          : item.content
      draft.put('turn-item.updated', { ...item, status: nodeStatus, completedAt: ctx.now, updatedAt: ctx.now, content })
    }
  }
  for (const message of draft.all('messages')) {
    if (message.runId === run.id && message.streaming) {
      draft.put('message.updated', { ...message, streaming: false, updatedAt: ctx.now })
    }
  }
  for (const request of pendingRequestsOf(draft, run.id)) {
    draft.put('runtime-request.updated', {
      ...request,
      status: 'cancelled',
      responseCapability: { type: 'not_resumable', reason: status === 'interrupted' ? 'run_interrupted' : 'turn_ended' },
      resolvedAt: ctx.now,
    })
  }
}

export type RunEnding = {
  status: Terminal
  failure: ProviderFailure | null
  usage: TokenUsage | null
}

/** Ends a run and everything open under it, then lets the queue move. */
export const finishRun = (draft: Draft, run: Run, ending: RunEnding, ctx: DecideContext): void => {
  const attempt = run.activeAttemptId ? draft.get('attempts', run.activeAttemptId) : undefined
  if (attempt && !['completed', 'interrupted', 'failed', 'cancelled', 'superseded'].includes(attempt.status)) {
    draft.put('run-attempt.updated', { ...attempt, status: ending.status, completedAt: ctx.now })
  }
  if (run.rootNodeId) {
    const root = draft.get('nodes', run.rootNodeId)
    if (root) draft.put('node.updated', { ...root, status: ending.status, completedAt: ctx.now })
  }
  closeOpenWork(draft, run, ending.status, ctx)
  if (ending.status === 'interrupted' && run.interruptRequestedAt !== null) {
    const request = draft.all('turnItems').find((i) => i.runId === run.id && i.content.type === 'run_interrupt_request')
    addRunSignal(draft, run, ctx.now, {
      id: deriveId.signalItem(run.id, 'interrupt-result', 1),
      status: 'interrupted',
      parentItemId: request?.id ?? null,
      content: { type: 'run_interrupt_result', message: ending.failure?.message ?? 'Run interrupted' },
    })
  }
  if (ending.failure && ending.status !== 'interrupted') {
    addRunSignal(draft, run, ctx.now, {
      id: deriveId.signalItem(run.id, 'failure', attempt?.attemptOrdinal ?? 1),
      status: 'failed',
      content: { type: 'error', failure: ending.failure },
    })
  }
  if (run.providerThreadId) {
    const providerThread = draft.get('providerThreads', run.providerThreadId)
    if (providerThread && providerThread.status === 'active') {
      draft.put('provider-thread.updated', { ...providerThread, status: 'idle', updatedAt: ctx.now })
    }
  }
  settleRunTransfers(draft, run, ending.status, ctx)
  draft.put('run.updated', {
    ...run,
    status: ending.status,
    failure: ending.failure ?? run.failure,
    usage: ending.usage ?? run.usage,
    completedAt: ctx.now,
    pendingRestart: null,
    queuePosition: null,
    queueReason: null,
  })
  startNextQueued(draft, ctx)
}

/** The runner process serving `epoch` is gone: end what it served, honestly labelled. */
export const loseRunner = (draft: Draft, epoch: number, message: string, ctx: DecideContext): void => {
  const failure: ProviderFailure = { class: 'runner_lost', message, code: 'runner_lost', retryable: true }
  for (const request of draft.all('runtimeRequests')) {
    if (request.status === 'pending' && request.responseCapability.type === 'live' && request.responseCapability.runnerEpoch === epoch) {
      draft.put('runtime-request.updated', {
        ...request,
        status: 'expired',
        responseCapability: { type: 'not_resumable', reason: 'runner_lost' },
        resolvedAt: ctx.now,
      })
    }
  }
  for (const session of draft.all('providerSessions')) {
    if (session.runnerEpoch === epoch && session.status !== 'stopped') {
      draft.put('provider-session.updated', { ...session, status: 'stopped', releaseReason: 'runner_lost', updatedAt: ctx.now })
    }
  }
  const run = activeRun(draft)
  const queueCtx = { ...ctx, runnerEpoch: null }
  if (run && run.runnerEpoch === epoch) finishRun(draft, run, { status: 'interrupted', failure, usage: null }, queueCtx)
}

/** Whether a run has moved past `starting`/`running` into waiting, or back, by its requests. */
export const refreshWaiting = (draft: Draft, runId: string): void => {
  const run = draft.get('runs', runId)
  if (!run || !isActive(run.status)) return
  const waiting = pendingRequestsOf(draft, runId).length > 0
  if (waiting && run.status !== 'waiting') draft.put('run.updated', { ...run, status: 'waiting' })
  if (!waiting && run.status === 'waiting') draft.put('run.updated', { ...run, status: 'running' })
}
