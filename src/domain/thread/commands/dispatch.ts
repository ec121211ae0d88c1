/** @module `message.dispatch`: start a run, queue it, or steer the active one. */
import { deriveId, loomError, type Command, type InputIntent, type MessageId, type Run, type RunId } from '../../../contracts/index.ts'
import type { Draft, Rejected } from '../draft.ts'
import { rejected } from '../draft.ts'
import type { DecideContext } from '../context.ts'
import { activeRun, messagesOfRun, queuedRuns } from '../queries.ts'
import { startRun } from '../run-lifecycle.ts'

type Dispatch = Extract<Command, { type: 'message.dispatch' }>

/** Records the user's message and its display item under `runId`. */
export const addUserMessage = (
  draft: Draft,
  cmd: Dispatch,
  runId: RunId,
  inputIntent: InputIntent,
  ctx: DecideContext,
): MessageId => {
  const messageId = cmd.messageId ?? deriveId.userMessage(runId, messagesOfRun(draft, runId).length + 1)
  draft.put('message.updated', {
    id: messageId,
    threadId: draft.thread.id,
    runId,
    nodeId: null,
    role: 'user',
    text: cmd.text,
    attachments: cmd.attachments,
    streaming: false,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  })
  draft.put('turn-item.updated', {
    id: deriveId.userItem(messageId),
    threadId: draft.thread.id,
    runId,
    nodeId: null,
    providerThreadId: null,
    parentItemId: null,
    ordinal: draft.nextItemOrdinal(),
    status: 'completed',
    visibility: 'local',
    sourceThreadId: null,
    startedAt: ctx.now,
    completedAt: ctx.now,
    updatedAt: ctx.now,
    content: { type: 'user_message', messageId, inputIntent, text: cmd.text, attachmentCount: cmd.attachments.length },
  })
  return messageId
}

const newRun = (draft: Draft, cmd: Dispatch, ctx: DecideContext, busy: boolean): void => {
  const ordinal = draft.all('runs').length + 1
  const runId = deriveId.run(draft.thread.id, ordinal)
  const modelSelection = cmd.modelSelection ?? draft.thread.modelSelection
  const messageId = addUserMessage(draft, cmd, runId, busy ? 'queued_turn' : 'turn_start', ctx)
  const lastPosition = queuedRuns(draft).reduce((max, r) => Math.max(max, r.queuePosition ?? 0), 0)
  const run: Run = draft.put('run.created', {
    id: runId,
    threadId: draft.thread.id,
    ordinal,
    provider: modelSelection.provider,
    modelSelection,
    providerThreadId: null,
    userMessageId: messageId,
    rootNodeId: null,
    activeAttemptId: null,
    status: 'queued',
    queuePosition: lastPosition + 1,
    // Behind the queue but with nothing active, the queue itself waits for a runner.
    queueReason: busy && activeRun(draft) ? 'behind_active_run' : 'awaiting_runner',
    requestedBy: ctx.actor,
    requestedAt: ctx.now,
    startedAt: null,
    completedAt: null,
    interruptRequestedAt: null,
    interruptRequestedBy: null,
    pendingRestart: null,
    failure: null,
    usage: null,
    checkpointId: null,
    contextHandoffId: null,
    runnerEpoch: null,
  })
  if (!busy) startRun(draft, run, ctx, 'initial')
}

/** Sends a message into the active run: natively where the provider steers, else by restart. */
export const steerInto = (
  draft: Draft,
  run: Run,
  messageId: MessageId,
  forceRestart: boolean,
  ctx: DecideContext,
): Rejected | null => {
  const caps = ctx.capabilities(run.provider).turns
  const attempt = run.activeAttemptId ? draft.get('attempts', run.activeAttemptId) : undefined
  if (!attempt) return rejected(loomError('run_not_active', `run ${run.id} has no live attempt to steer`))
  // The current attempt is being interrupted; a steer into it would be lost with it.
  if (run.pendingRestart) return rejected(loomError('run_active', `run ${run.id} is already restarting; queue the message instead`))
  const message = draft.get('messages', messageId)
  if (!message) return rejected(loomError('invalid_request', `message ${messageId} is unknown`))
  if (!forceRestart && caps.supportsActiveSteering) {
    draft.put('run-attempt.updated', { ...attempt, messageIds: [...attempt.messageIds, messageId] })
    const turn = attempt.providerTurnId ? draft.get('providerTurns', attempt.providerTurnId) : undefined
    draft.effect({
      kind: 'turn.steer',
      runId: run.id,
      attemptId: attempt.id,
      nativeTurnRef: turn?.nativeTurnRef ?? null,
      message: { messageId, text: message.text, attachments: message.attachments },
    })
    return null
  }
  // An explicit restart is steering by interrupt-and-restart too: it needs the same flags.
  if (!caps.supportsInterrupt || !caps.supportsSteeringByInterruptRestart) {
    return rejected(
      loomError('capability_unsupported', `${run.provider} cannot ${forceRestart ? 'restart' : 'steer'} a running turn`, {
        capability: caps.supportsInterrupt ? 'turns.supportsSteeringByInterruptRestart' : 'turns.supportsInterrupt',
      }),
    )
  }
  draft.put('run.updated', { ...run, pendingRestart: { messageId, reason: 'steering_restart' } })
  const turn = attempt.providerTurnId ? draft.get('providerTurns', attempt.providerTurnId) : undefined
  draft.effect({ kind: 'turn.interrupt', runId: run.id, attemptId: attempt.id, nativeTurnRef: turn?.nativeTurnRef ?? null })
  return null
}

export const decideDispatch = (draft: Draft, cmd: Dispatch, ctx: DecideContext): Rejected | null => {
  if (cmd.text.trim() === '' && cmd.attachments.length === 0) {
    return rejected(loomError('invalid_request', 'the message is empty', { path: ['text'] }))
  }
  if (cmd.messageId !== undefined && draft.get('messages', cmd.messageId)) {
    return rejected(loomError('invalid_request', `message ${cmd.messageId} already exists; use a new messageId`, { path: ['messageId'] }))
  }
  const active = activeRun(draft)
  const mode = cmd.dispatchMode
  if (mode.type === 'start_immediately' || mode.type === 'queue_after_active') {
    newRun(draft, cmd, ctx, active !== undefined || queuedRuns(draft).length > 0)
    return null
  }
  if (!active || active.id !== mode.targetRunId) {
    return rejected(loomError('run_not_active', `run ${mode.targetRunId} is not the active run`, { activeRunId: active?.id ?? null }))
  }
  const forceRestart = mode.type === 'restart_active'
  const messageId = addUserMessage(draft, cmd, active.id, forceRestart ? 'restart' : 'steer', ctx)
  return steerInto(draft, draft.get('runs', active.id) as Run, messageId, forceRestart, ctx)
}
