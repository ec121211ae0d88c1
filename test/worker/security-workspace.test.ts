import { describe, expect, it } from 'vitest'
import { RUNNER_PROTOCOL_VERSION } from '../../src/contracts/index.ts'
import { api, connect, createThread, dispatch, token, uniqueId } from './helpers.ts'
import { ScriptedRunner, runnerToken } from './runner-helpers.ts'
import { closeUpgrade, upgrade } from './security-helpers.ts'

/** A thread in workspace B, and a token of the same scopes for workspace A only. */
const crossWorkspace = async (scopes = ['read', 'operate']) => {
  const workspaceB = uniqueId('ws-b')
  const ownerB = await token({ workspaces: [workspaceB] })
  const threadId = await createThread(ownerB, undefined, { workspaceId: workspaceB })
  const tokenA = await token({ scopes, workspaces: [uniqueId('ws-a')] })
  return { workspaceB, ownerB, threadId, tokenA }
}

describe('the workspace claim', () => {
  it('should keep a token for workspace A from reading B over HTTP', async () => {
    const { workspaceB, threadId, tokenA } = await crossWorkspace()
    const paths = [
      `/v1/threads/${threadId}`,
      `/v1/threads/${threadId}/events`,
      `/v1/threads/${threadId}/runs/run-1/diff`,
      `/v1/threads/${threadId}/checkpoints/checkpoint-1/diff`,
      `/v1/workspaces/${workspaceB}/threads`,
      `/v1/workspaces/${workspaceB}/providers`,
    ]
    for (const path of paths) {
      const result = await api(path, { token: tokenA })
      expect([path, result.status, result.body.code]).toEqual([path, 403, 'forbidden'])
    }
  })

  it('should keep a token for workspace A from dispatching to a thread of B, or creating one in B', async () => {
    const { workspaceB, ownerB, threadId, tokenA } = await crossWorkspace()
    const renamed = await dispatch(tokenA, { type: 'thread.metadata.update', threadId, title: 'taken over' })
    expect([renamed.status, renamed.body.code]).toEqual([403, 'forbidden'])
    const created = await dispatch(tokenA, { type: 'thread.create', threadId: uniqueId('thread'), workspaceId: workspaceB, title: 'x', modelSelection: { provider: 'codex', model: 'm' } })
    expect([created.status, created.body.code]).toEqual([403, 'forbidden'])
    expect((await api(`/v1/threads/${threadId}`, { token: ownerB })).body.thread.title).toBe('A thread')
  })

  it('should refuse the thread socket of B to a token for A at upgrade time', async () => {
    const { threadId, tokenA } = await crossWorkspace()
    const result = await upgrade(`/v1/ws?threadId=${threadId}`, tokenA)
    expect([result.status, result.body.code]).toEqual([403, 'forbidden'])
  })

  it('should still open the thread socket for a token of the thread\'s own workspace', async () => {
    const { threadId, ownerB } = await crossWorkspace()
    const result = await upgrade(`/v1/ws?threadId=${threadId}`, ownerB)
    expect(result.status).toBe(101)
    closeUpgrade(result)
  })

  it('should refuse the workspace shell socket of B to a token for A', async () => {
    const { workspaceB, tokenA } = await crossWorkspace()
    const result = await upgrade(`/v1/ws?workspaceId=${workspaceB}`, tokenA)
    expect([result.status, result.body.code]).toEqual([403, 'forbidden'])
  })

  it('should keep a runner token for A from attaching a control socket in B', async () => {
    const { workspaceB } = await crossWorkspace()
    const result = await upgrade(`/v1/runner/control?workspaceId=${workspaceB}`, await runnerToken([uniqueId('ws-a')]), { role: 'runner' })
    expect([result.status, result.body.code]).toEqual([403, 'forbidden'])
  })

  it('should keep a runner link of A from opening on, or writing events to, a thread of B', async () => {
    const { threadId, ownerB } = await crossWorkspace()
    const workspaceA = uniqueId('ws-a')
    const runnerA = await ScriptedRunner.start({ workspaceId: workspaceA })
    try {
      const before = (await api(`/v1/threads/${threadId}/events`, { token: ownerB })).body.events.length
      const refused = await upgrade(`/v1/runner/threads/${threadId}/link`, runnerA.tok, { role: 'runner' })
      expect([refused.status, refused.body.code]).toEqual([403, 'forbidden'])
      expect((await api(`/v1/threads/${threadId}/events`, { token: ownerB })).body.events.length).toBe(before)
    } finally {
      runnerA.close()
    }
  })

  it('should refuse the hello of a link opened before the thread existed, once the thread is in another workspace (the per-frame check)', async () => {
    // A thread not created yet has no workspace at upgrade; the hello is checked once it exists.
    const workspaceB = uniqueId('ws-b')
    const threadId = uniqueId('thread')
    const link = await connect(`/v1/runner/threads/${threadId}/link`, await runnerToken([uniqueId('ws-a')]), 'runner')
    await createThread(await token({ workspaces: [workspaceB] }), threadId, { workspaceId: workspaceB })
    link.send({ type: 'hello', protocolVersion: RUNNER_PROTOCOL_VERSION, runnerId: 'runner-a', epoch: 1 })
    const answer = await link.until((frames) => frames.find((f) => f.type === 'refused'))
    expect(answer.error.code).toBe('forbidden')
    await link.until(() => link.closed)
  })
})
