import { describe, expect, it } from 'vitest'
import { api, connect, createThread, dispatch, token, uniqueId } from './helpers.ts'
import { runnerToken } from './runner-helpers.ts'
import { upgrade } from './security-helpers.ts'

const rename = (threadId: string) => ({ type: 'thread.metadata.update', threadId, title: 'renamed' })

describe('scopes', () => {
  it('should keep a runner token from dispatching over HTTP', async () => {
    const threadId = await createThread(await token())
    const result = await dispatch(await runnerToken(), rename(threadId))
    expect([result.status, result.body.code]).toEqual([403, 'forbidden'])
  })

  it('should keep a runner token from subscribing: the thread and shell sockets need read', async () => {
    const threadId = await createThread(await token())
    for (const path of [`/v1/ws?threadId=${threadId}`, '/v1/ws?workspaceId=ws-test']) {
      const result = await upgrade(path, await runnerToken())
      expect([path, result.status, result.body.code]).toEqual([path, 403, 'forbidden'])
    }
    const read = await api(`/v1/threads/${threadId}`, { token: await runnerToken() })
    expect(read.status).toBe(403)
  })

  it('should keep a read token from dispatching over HTTP and over its socket', async () => {
    const owner = await token()
    const threadId = await createThread(owner)
    const reader = await token({ scopes: ['read'] })
    const http = await dispatch(reader, rename(threadId))
    expect([http.status, http.body.code]).toEqual([403, 'forbidden'])
    const socket = await connect(`/v1/ws?threadId=${threadId}`, reader)
    try {
      const answer = await socket.request(1, 'dispatchCommand', { commandId: uniqueId('cmd'), ...rename(threadId) })
      expect(answer.error.code).toBe('forbidden')
      // Reading is what the token is for.
      expect((await socket.request(2, 'getThreadProjection', { threadId })).result.thread.title).toBe('A thread')
    } finally {
      socket.close()
    }
  })

  it('should keep user tokens off the runner sockets', async () => {
    const threadId = await createThread(await token())
    for (const path of ['/v1/runner/control?workspaceId=ws-test', `/v1/runner/threads/${threadId}/link`]) {
      const result = await upgrade(path, await token({ scopes: ['read', 'operate'] }), { role: 'runner' })
      expect([path, result.status, result.body.code]).toEqual([path, 403, 'forbidden'])
    }
  })
})
