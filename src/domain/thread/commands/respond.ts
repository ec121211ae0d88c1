/** @module `runtime-request.respond`: answer an approval or a question, once, while it is live. */
import { loomError, type Command } from '../../../contracts/index.ts'
import type { Draft, Rejected } from '../draft.ts'
import { rejected } from '../draft.ts'
import type { DecideContext } from '../context.ts'
import { refreshWaiting } from '../run-lifecycle.ts'

type Respond = Extract<Command, { type: 'runtime-request.respond' }>

export const decideRespond = (draft: Draft, cmd: Respond, ctx: DecideContext): Rejected | null => {
  const request = draft.get('runtimeRequests', cmd.requestId)
  if (!request) return rejected(loomError('request_not_found', `request ${cmd.requestId} does not exist`))
  if (request.status !== 'pending') {
    return rejected(loomError('request_not_pending', `request ${request.id} is already ${request.status}`, { status: request.status }))
  }
  const capability = request.responseCapability
  // With no runner linked right now (a dropped socket), the answer waits in the outbox for the
  // process that asked: its link's hello delivers it, and if that process is gone instead, its
  // runner.lost cancels the answer and ends the run. Another process linked means that one is gone.
  if (capability.type !== 'live' || (ctx.runnerEpoch !== null && capability.runnerEpoch !== ctx.runnerEpoch)) {
    return rejected(loomError('request_not_resumable', `the runner process that asked request ${request.id} is gone; the request ends with its run`))
  }
  const isQuestion = request.kind === 'user_input'
  if (isQuestion && cmd.answers === undefined && cmd.decision !== 'cancel') {
    return rejected(loomError('invalid_request', 'a question needs answers (or decision "cancel")', { path: ['answers'] }))
  }
  if (!isQuestion && cmd.decision === undefined) {
    return rejected(loomError('invalid_request', 'an approval needs a decision', { path: ['decision'] }))
  }
  const response = { decision: cmd.decision ?? null, answers: cmd.answers ?? null, by: ctx.actor, at: ctx.now }
  draft.put('runtime-request.updated', { ...request, status: 'resolved', response, resolvedAt: ctx.now })
  const node = draft.get('nodes', request.nodeId)
  if (node) draft.put('node.updated', { ...node, status: 'completed', completedAt: ctx.now })
  for (const item of draft.all('turnItems')) {
    const content = item.content
    if ((content.type === 'approval_request' || content.type === 'user_input_request') && content.requestId === request.id) {
      draft.put('turn-item.updated', { ...item, status: 'completed', completedAt: ctx.now, updatedAt: ctx.now })
    }
  }
  refreshWaiting(draft, request.runId)
  draft.effect({
    kind: 'request.respond',
    requestId: request.id,
    nativeRequestRef: request.nativeRequestRef,
    decision: response.decision,
    answers: response.answers,
  })
  return null
}
