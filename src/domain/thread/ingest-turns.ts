/** @module The provider's terminal for a turn: only the root turn of the active attempt ends a run. */
import { deriveId, type Run, type RuntimeEvent } from '../../contracts/index.ts'
import type { Draft } from './draft.ts'
import { isActive } from './queries.ts'
import { closeOpenWork, finishRun, startRun } from './run-lifecycle.ts'
import { done, type IngestContext, type Ingested } from './ingest-support.ts'

export const turnCompleted = (draft: Draft, event: Extract<RuntimeEvent, { type: 'turn.completed' }>, ctx: IngestContext): Ingested => {
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
    if (turn) draft.put('provider-turn.updated', { ...turn, status: event.status, completedAt: ctx.now, conversationHeadRef: event.nativeConversationHeadRef ?? turn.conversationHeadRef ?? null })
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
