/** @module Interrupting runs and arranging the queue. */
import { deriveId, loomError, type Command, type Run } from '../../../contracts/index.ts'
import type { Draft, Rejected } from '../draft.ts'
import { rejected } from '../draft.ts'
import type { DecideContext } from '../context.ts'
import { activeRun, isActive, queuedRuns } from '../queries.ts'
import { steerInto } from './dispatch.ts'
import { addRunSignal } from '../run-signals.ts'

type Of<T extends Command['type']> = Extract<Command, { type: T }>

const cancelQueued = (draft: Draft, run: Run, ctx: DecideContext): void => {
  draft.put('run.updated', { ...run, status: 'cancelled', completedAt: ctx.now, queuePosition: null, queueReason: null })
}

export const decideInterrupt = (draft: Draft, cmd: Of<'run.interrupt'>, ctx: DecideContext): Rejected | null => {
  const run = draft.get('runs', cmd.runId)
  if (!run) return rejected(loomError('run_not_found', `run ${cmd.runId} does not exist`))
  if (run.status === 'queued') {
    cancelQueued(draft, run, ctx)
    return null
  }
  if (!isActive(run.status)) return rejected(loomError('run_not_active', `run ${run.id} is ${run.status}`))
  // A second Stop while the first is on its way changes nothing and is not an error.
  if (run.interruptRequestedAt !== null) return null
  if (!ctx.capabilities(run.provider).turns.supportsInterrupt) {
    return rejected(loomError('capability_unsupported', `${run.provider} cannot interrupt a turn`, { capability: 'turns.supportsInterrupt' }))
  }
  draft.put('run.updated', { ...run, interruptRequestedAt: ctx.now, interruptRequestedBy: ctx.actor, pendingRestart: null })
  addRunSignal(draft, run, ctx.now, {
    id: deriveId.signalItem(run.id, 'interrupt-request', 1),
    status: 'completed',
    content: { type: 'run_interrupt_request', message: `Stop requested by ${ctx.actor}` },
  })
  const attempt = run.activeAttemptId ? draft.get('attempts', run.activeAttemptId) : undefined
  const turn = attempt?.providerTurnId ? draft.get('providerTurns', attempt.providerTurnId) : undefined
  draft.effect({ kind: 'turn.interrupt', runId: run.id, attemptId: attempt?.id ?? deriveId.attempt(run.id, 1), nativeTurnRef: turn?.nativeTurnRef ?? null })
  return null
}

export const decidePromote = (draft: Draft, cmd: Of<'queued-message.promote-to-steer'>, ctx: DecideContext): Rejected | null => {
  const queued = draft.get('runs', cmd.queuedRunId)
  if (!queued || queued.status !== 'queued') return rejected(loomError('run_not_queued', `run ${cmd.queuedRunId} is not queued`))
  const active = activeRun(draft)
  if (!active || active.id !== cmd.targetRunId) return rejected(loomError('run_not_active', `run ${cmd.targetRunId} is not the active run`))
  const message = draft.get('messages', queued.userMessageId)
  const item = draft.all('turnItems').find((i) => i.content.type === 'user_message' && i.content.messageId === queued.userMessageId)
  if (!message || !item || item.content.type !== 'user_message') return rejected(loomError('run_not_queued', `run ${queued.id} has no message`))
  draft.put('message.updated', { ...message, runId: active.id, updatedAt: ctx.now })
  draft.put('turn-item.updated', {
    ...item,
    runId: active.id,
    updatedAt: ctx.now,
    content: { ...item.content, inputIntent: 'promoted_queued_to_steer' },
  })
  const refused = steerInto(draft, active, message.id, false, ctx)
  if (refused) return refused
  cancelQueued(draft, queued, ctx)
  return null
}

export const decideReorder = (draft: Draft, cmd: Of<'queued-run.reorder'>): Rejected | null => {
  const queue = queuedRuns(draft)
  const moving = queue.find((r) => r.id === cmd.runId)
  if (!moving) return rejected(loomError('run_not_queued', `run ${cmd.runId} is not queued`))
  const rest = queue.filter((r) => r.id !== cmd.runId)
  const at = cmd.beforeRunId === null ? rest.length : rest.findIndex((r) => r.id === cmd.beforeRunId)
  if (at < 0) return rejected(loomError('run_not_queued', `run ${cmd.beforeRunId} is not queued`))
  rest.splice(at, 0, moving)
  rest.forEach((run, index) => {
    if (run.queuePosition !== index + 1) draft.put('run.updated', { ...run, queuePosition: index + 1 })
  })
  return null
}
