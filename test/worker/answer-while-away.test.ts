/**
 * An approval answered while the runner's link is down (a network blip) is taken, not refused:
 * the answer waits in the outbox for the runner process that asked, its link's hello delivers
 * it, and the run goes on. If that process is gone instead (a new one connected), the answer is
 * cancelled with its run, and the new process never receives it.
 */
import { describe, expect, it } from 'vitest'
import { dispatch, projection } from './helpers.ts'
import { ScriptedRunner, runnerThread, type EffectOf, type RunnerLink } from './runner-helpers.ts'
import { outboxRows } from './storage-helpers.ts'
import { eventually } from './wait.ts'

/** A run waiting on an approval, its request id, and the link it was asked on. */
const waitingOnApproval = async () => {
  const setup = await runnerThread()
  const { tok, threadId, link } = setup
  expect((await dispatch(tok, { type: 'message.dispatch', threadId, text: 'needs approval' })).status).toBe(200)
  const start = (await link.effect('turn.start')) as EffectOf<'turn.start'>
  await link.startTurn(start)
  await link.send([
    { type: 'request.opened', runId: start.body.runId, nativeRequestId: 'approval-1', nativeItemId: null, kind: 'command', prompt: 'rm -rf build?', detail: null, questions: null, availableDecisions: ['accept', 'decline'] },
  ])
  const requestId: string = (await projection(tok, threadId)).runtimeRequests[0].id
  return { ...setup, start, requestId }
}

/** The runner's link drops without the process going away; the close is echoed after the thread has dropped the link. */
const cut = async (link: RunnerLink) => {
  link.close()
  await link.socket.until(() => link.socket.closed)
}

describe('answering while the runner is away', () => {
  it('should take the answer and deliver it when the same runner process links again', async () => {
    const { tok, threadId, link, runner, start, requestId } = await waitingOnApproval()
    await cut(link)
    const answered = await dispatch(tok, { type: 'runtime-request.respond', threadId, requestId, decision: 'accept' })
    expect(answered.status).toBe(200)
    expect(await outboxRows(threadId, 'request.respond')).toEqual([expect.objectContaining({ status: 'pending', epoch: null })])
    expect((await projection(tok, threadId)).runtimeRequests[0]).toMatchObject({ status: 'resolved', response: { decision: 'accept' } })

    const back = await runner.link(threadId)
    const respond = await back.effect('request.respond')
    expect(respond.body).toEqual({ kind: 'request.respond', requestId, nativeRequestRef: 'approval-1', decision: 'accept', answers: null })
    await back.finishTurn(start)
    const done = await projection(tok, threadId)
    expect(done.runs[0].status).toBe('completed')
    runner.close()
  })

  it('should cancel the held answer when a new runner process replaces the one that asked', async () => {
    const { tok, threadId, link, runner, workspaceId, requestId } = await waitingOnApproval()
    await cut(link)
    expect((await dispatch(tok, { type: 'runtime-request.respond', threadId, requestId, decision: 'accept' })).status).toBe(200)

    const fresh = await ScriptedRunner.start({ workspaceId })
    const ended = await eventually(async () => {
      const p = await projection(tok, threadId)
      return p.runs[0].status === 'interrupted' ? p : null
    })
    expect(ended.runs[0].failure).toMatchObject({ class: 'runner_lost' })
    expect(await outboxRows(threadId, 'request.respond')).toEqual([expect.objectContaining({ status: 'cancelled' })])
    // The new process links (for the next message) and is not handed the old process's answer.
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'again' })
    await fresh.control.until((f) => f.find((x) => x.type === 'attach' && x.threadId === threadId))
    const newLink = await fresh.link(threadId)
    await newLink.effect('turn.start')
    expect(newLink.effects('request.respond')).toEqual([])
    runner.close()
    fresh.close()
  })
})
