/**
 * A deleted thread that ran has a worktree and refs on its runner. When its session is gone
 * (released when idle) and no runner is linked at the moment of the delete, the cleanup must
 * still reach a runner: the next runner process is asked to attach, its link to the deleted
 * thread is welcomed for that one close, and once the close is acknowledged the thread refuses
 * links again.
 */
import { describe, expect, it } from 'vitest'
import { createThread, dispatch, projection, token, uniqueId } from './helpers.ts'
import { ScriptedRunner, openLink } from './runner-helpers.ts'
import { eventually } from './wait.ts'

describe('deleting a thread whose session is gone', () => {
  it('should bring a runner back to carry out the cleanup, then refuse links again', async () => {
    const workspaceId = uniqueId('ws')
    const tok = await token({ workspaces: [workspaceId] })
    const first = await ScriptedRunner.start({ workspaceId })
    const threadId = await createThread(tok, undefined, { workspaceId, modelSelection: { provider: 'codex', model: 'fake-model' } })
    const link = await first.link(threadId)
    expect((await dispatch(tok, { type: 'message.dispatch', threadId, text: 'hello' })).status).toBe(200)
    await link.runNext({ runOrdinal: 1 })
    // The runner released the idle session, then went away.
    await link.send([{ type: 'session.released', provider: 'codex', reason: 'idle_timeout', failure: null }])
    first.close()
    await eventually(async () => (await projection(tok, threadId)).providerSessions.every((s: { status: string }) => s.status === 'stopped'))

    expect((await dispatch(tok, { type: 'thread.delete', threadId })).status).toBe(200)

    const second = await ScriptedRunner.start({ workspaceId })
    await second.control.until((frames) => frames.find((f) => f.type === 'attach' && f.threadId === threadId), 5000)
    const cleanup = await second.link(threadId)
    const close = await cleanup.effect('session.close')
    expect(close.body).toEqual({ kind: 'session.close', provider: 'codex', reason: 'thread_deleted' })
    await cleanup.send([{ type: 'effect.completed', effectId: close.effectId }])
    cleanup.close()

    const { socket, answer } = await openLink(second.tok, threadId, second.epoch, second.runnerId)
    expect(answer).toMatchObject({ type: 'refused', error: { code: 'thread_not_found' } })
    socket.close()
    second.close()
  })
})

