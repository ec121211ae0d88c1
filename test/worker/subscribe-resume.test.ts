/** Resuming a thread subscription, unsubscribing, reading over the socket, and the workspace shell stream. */
import { evictDurableObject, env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { api, connect, createThread, dispatch, projection, token, uniqueId, type TestSocket } from './helpers.ts'
import { eventually } from './wait.ts'

const rename = async (tok: string, threadId: string, title: string) => {
  const result = await dispatch(tok, { type: 'thread.metadata.update', threadId, title })
  expect(result.status).toBe(200)
  return result.body.sequence as number
}

const streamItems = (socket: TestSocket) => socket.frames.filter((f) => f.subscription !== undefined).map((f) => f.item)

/**
 * Everything the object sent before answering `id` is in `frames` once the answer is: a socket
 * delivers in order, so this is a barrier, not a sleep.
 */
const barrier = (socket: TestSocket, id: string, threadId: string) => socket.request(id, 'getThreadProjection', { threadId })

describe('subscribeThread with afterSequence', () => {
  it('should send only the events after afterSequence, no snapshot, then the live ones', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    for (const title of ['one', 'two', 'three']) await rename(tok, threadId, title)
    const socket = await connect(`/v1/ws?threadId=${threadId}`, tok)
    const answer = await socket.request(1, 'subscribeThread', { threadId, afterSequence: 2 })
    expect(answer.result).toEqual({ subscription: `thread:${threadId}`, sequence: 4 })
    await socket.until((f) => f.filter((x) => x.item?.kind === 'event').length >= 2)
    const live = await rename(tok, threadId, 'four')
    expect(live).toBe(5)
    await socket.until((f) => f.some((x) => x.item?.sequence === 5))
    await barrier(socket, 'b', threadId)
    const items = streamItems(socket)
    expect(items.map((i) => i.kind)).toEqual(['event', 'event', 'event'])
    expect(items.map((i) => i.sequence)).toEqual([3, 4, 5])
    expect(items.map((i) => i.event.event.payload.title)).toEqual(['two', 'three', 'four'])
    // The catch-up is the log itself, byte for byte.
    const log = await api(`/v1/threads/${threadId}/events?after=2`, { token: tok })
    expect(items.map((i) => i.event)).toEqual(log.body.events)
    socket.close()
  })

  it('should send nothing but live events when afterSequence is the current sequence', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    await rename(tok, threadId, 'x')
    const socket = await connect(`/v1/ws?threadId=${threadId}`, tok)
    const answer = await socket.request(1, 'subscribeThread', { threadId, afterSequence: 2 })
    expect(answer.result.sequence).toBe(2)
    await barrier(socket, 'b1', threadId)
    expect(streamItems(socket)).toEqual([])
    await rename(tok, threadId, 'y')
    await socket.until((f) => f.some((x) => x.item?.sequence === 3))
    expect(streamItems(socket).map((i) => i.sequence)).toEqual([3])
    socket.close()
  })

  it('should refuse an afterSequence ahead of the thread and leave the socket unsubscribed', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const socket = await connect(`/v1/ws?threadId=${threadId}`, tok)
    const answer = await socket.request(1, 'subscribeThread', { threadId, afterSequence: 2 })
    expect(answer.error.code).toBe('invalid_request')
    expect(answer.error.message).toContain('ahead')
    expect('result' in answer).toBe(false)
    await rename(tok, threadId, 'after the refusal')
    await barrier(socket, 'b', threadId)
    expect(streamItems(socket)).toEqual([])
    // A valid subscribe on the same socket still works afterwards.
    const again = await socket.request(2, 'subscribeThread', { threadId, afterSequence: 1 })
    expect(again.result.sequence).toBe(2)
    await socket.until((f) => f.some((x) => x.item?.sequence === 2))
    socket.close()
  })

  it('should refuse a negative or fractional afterSequence', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const socket = await connect(`/v1/ws?threadId=${threadId}`, tok)
    for (const [id, afterSequence] of [['neg', -1], ['frac', 0.5], ['str', '1']] as const) {
      const answer = await socket.request(id, 'subscribeThread', { threadId, afterSequence })
      expect(answer.error.code).toBe('invalid_request')
    }
    await rename(tok, threadId, 'z')
    await barrier(socket, 'b', threadId)
    expect(streamItems(socket)).toEqual([])
    socket.close()
  })
})

describe('hibernation', () => {
  it('should keep delivering to subscribers after the object is evicted with their sockets hibernated', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const subscribed = await connect(`/v1/ws?threadId=${threadId}`, tok)
    const idle = await connect(`/v1/ws?threadId=${threadId}`, tok)
    await subscribed.request(1, 'subscribeThread', { threadId })
    await idle.request(1, 'getThreadProjection', { threadId })
    await evictDurableObject(env.THREADS.get(env.THREADS.idFromName(threadId)))
    await rename(tok, threadId, 'after eviction')
    const event = await subscribed.until((f) => f.find((x) => x.item?.kind === 'event'))
    expect(event.item).toMatchObject({ sequence: 2, event: { event: { payload: { title: 'after eviction' } } } })
    // The socket that never subscribed stays quiet; both still answer requests.
    await barrier(idle, 'b', threadId)
    expect(streamItems(idle)).toEqual([])
    const answer = await subscribed.request(2, 'unsubscribe', { subscription: `thread:${threadId}` })
    expect(answer.result).toBeDefined()
    await rename(tok, threadId, 'after unsubscribe')
    await barrier(subscribed, 'b', threadId)
    expect(streamItems(subscribed).map((i) => i.sequence)).toEqual([1, 2])
    subscribed.close()
    idle.close()
  })
})

describe('unsubscribe', () => {
  it('should stop delivery to that socket and only that socket', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const leaving = await connect(`/v1/ws?threadId=${threadId}`, tok)
    const staying = await connect(`/v1/ws?threadId=${threadId}`, tok)
    await leaving.request(1, 'subscribeThread', { threadId })
    await staying.request(1, 'subscribeThread', { threadId })
    await rename(tok, threadId, 'seen by both')
    await leaving.until((f) => f.some((x) => x.item?.sequence === 2))
    const answer = await leaving.request(2, 'unsubscribe', { subscription: `thread:${threadId}` })
    expect(answer.result).toEqual({ unsubscribed: `thread:${threadId}` })
    await rename(tok, threadId, 'seen by one')
    await staying.until((f) => f.some((x) => x.item?.sequence === 3))
    await barrier(leaving, 'b', threadId)
    expect(streamItems(leaving).map((i) => `${i.kind}:${i.sequence}`)).toEqual(['snapshot:1', 'event:2'])
    expect(streamItems(staying).map((i) => `${i.kind}:${i.sequence}`)).toEqual(['snapshot:1', 'event:2', 'event:3'])
    leaving.close()
    staying.close()
  })

  it('should refuse a subscription id the socket does not have', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const socket = await connect(`/v1/ws?threadId=${threadId}`, tok)
    const answer = await socket.request(1, 'unsubscribe', { subscription: 'thread:someone-else' })
    expect(answer.error.code).toBe('invalid_request')
    socket.close()
  })

  it('should resume after an unsubscribe with afterSequence and miss nothing', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const socket = await connect(`/v1/ws?threadId=${threadId}`, tok)
    await socket.request(1, 'subscribeThread', { threadId })
    await socket.request(2, 'unsubscribe', { subscription: `thread:${threadId}` })
    await rename(tok, threadId, 'missed 1')
    await rename(tok, threadId, 'missed 2')
    const answer = await socket.request(3, 'subscribeThread', { threadId, afterSequence: 1 })
    expect(answer.result.sequence).toBe(3)
    await rename(tok, threadId, 'live')
    await socket.until((f) => f.some((x) => x.item?.sequence === 4))
    expect(streamItems(socket).map((i) => `${i.kind}:${i.sequence}`)).toEqual(['snapshot:1', 'event:2', 'event:3', 'event:4'])
    socket.close()
  })
})

describe('getThreadProjection over the socket', () => {
  it('should answer with the same projection as HTTP, and refuse another thread id', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'hello there' })
    const socket = await connect(`/v1/ws?threadId=${threadId}`, tok)
    const answer = await socket.request('p', 'getThreadProjection', { threadId })
    expect(answer.result).toEqual(await projection(tok, threadId))
    expect(answer.result.sequence).toBeGreaterThan(1)
    const other = await socket.request('o', 'getThreadProjection', { threadId: 'some-other-thread' })
    expect(other.error.code).toBe('thread_not_found')
    socket.close()
  })

  it('should refuse reads and subscriptions to a token for another workspace', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const socket = await connect(`/v1/ws?threadId=${threadId}`, tok)
    // The token covers the workspace; another workspace's token does not.
    const outsider = await token({ workspaces: ['ws-other'] })
    // Refused at upgrade (403): no socket, so neither a read nor a subscription, nor any frame of the thread.
    await expect(connect(`/v1/ws?threadId=${threadId}`, outsider)).rejects.toThrow(/upgrade failed: 403/)
    await rename(tok, threadId, 'private')
    await barrier(socket, 'b', threadId)
    socket.close()
  })
})

describe('the shell subscription', () => {
  it('should send a snapshot of the workspace, then thread.updated as threads change', async () => {
    const workspaceId = uniqueId('ws-shell')
    const tok = await token({ workspaces: [workspaceId] })
    const first = await createThread(tok, undefined, { workspaceId, title: 'First' })
    // The summary reaches the workspace through the thread's outbox, after the reply.
    await eventually(async () => (await api(`/v1/workspaces/${workspaceId}/threads`, { token: tok })).body.threads.length === 1)
    const shell = await connect(`/v1/ws?workspaceId=${workspaceId}`, tok)
    const answer = await shell.request(1, 'subscribeShell', { workspaceId })
    expect(answer.result.subscription).toBe(`shell:${workspaceId}`)
    const snapshot = await shell.until((f) => f.find((x) => x.item?.kind === 'snapshot'))
    expect(snapshot.subscription).toBe(`shell:${workspaceId}`)
    expect(snapshot.item.threads.map((t: any) => [t.id, t.title, t.status])).toEqual([[first, 'First', 'idle']])

    await rename(tok, first, 'First, renamed')
    const renamed = await shell.until((f) => f.find((x) => x.item?.kind === 'thread.updated' && x.item.thread.title === 'First, renamed'))
    expect(renamed.item.thread).toMatchObject({ id: first, workspaceId, sequence: 2 })

    const second = await createThread(tok, undefined, { workspaceId, title: 'Second' })
    await shell.until((f) => f.find((x) => x.item?.kind === 'thread.updated' && x.item.thread.id === second))
    await dispatch(tok, { type: 'message.dispatch', threadId: second, text: 'work, please' })
    const queued = await shell.until((f) => f.find((x) => x.item?.kind === 'thread.updated' && x.item.thread.id === second && x.item.thread.status === 'queued'))
    expect(queued.item.thread.statusReason).toBe('awaiting runner')
    expect(queued.item.thread.lastMessage).toMatchObject({ role: 'user', text: 'work, please' })

    // Per thread, the pushes arrive in sequence order: a late push never goes back in time.
    const updates = shell.frames.filter((x) => x.item?.kind === 'thread.updated').map((x) => x.item.thread)
    for (const id of [first, second]) {
      const sequences = updates.filter((t: any) => t.id === id).map((t: any) => t.sequence)
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b))
      expect(new Set(sequences).size).toBe(sequences.length)
    }
    shell.close()
  })

  it('should end on the latest title after rapid changes, and stop after unsubscribe', async () => {
    const workspaceId = uniqueId('ws-shell')
    const tok = await token({ workspaces: [workspaceId] })
    const threadId = await createThread(tok, undefined, { workspaceId })
    const shell = await connect(`/v1/ws?workspaceId=${workspaceId}`, tok)
    await shell.request(1, 'subscribeShell', { workspaceId })
    await Promise.all(Array.from({ length: 20 }, (_, i) => rename(tok, threadId, `rapid ${i}`)))
    const final = (await projection(tok, threadId)).thread.title
    await shell.until((f) => f.find((x) => x.item?.kind === 'thread.updated' && x.item.thread.title === final && x.item.thread.sequence === 21))
    const listed = await eventually(async () => {
      const threads = (await api(`/v1/workspaces/${workspaceId}/threads`, { token: tok })).body.threads
      return threads[0]?.sequence === 21 ? threads : null
    })
    expect(listed[0].title).toBe(final)

    const wrong = await shell.request('w', 'unsubscribe', { subscription: 'shell:ws-test' })
    expect(wrong.error.code).toBe('invalid_request')
    const answer = await shell.request(2, 'unsubscribe', { subscription: `shell:${workspaceId}` })
    expect(answer.result).toEqual({ unsubscribed: `shell:${workspaceId}` })
    const count = shell.frames.length
    await rename(tok, threadId, 'after unsubscribe')
    await eventually(async () => (await api(`/v1/workspaces/${workspaceId}/threads`, { token: tok })).body.threads[0]?.title === 'after unsubscribe')
    expect(shell.frames.slice(count)).toEqual([])
    shell.close()
  })

  it('should refuse a shell subscription for another workspace, and a thread subscription on the shell socket', async () => {
    const workspaceId = uniqueId('ws-shell')
    const tok = await token({ workspaces: [workspaceId] })
    const shell = await connect(`/v1/ws?workspaceId=${workspaceId}`, tok)
    const other = await shell.request(1, 'subscribeShell', { workspaceId: 'ws-test' })
    expect(other.error.code).toBe('invalid_request')
    const thread = await shell.request(2, 'subscribeThread', { threadId: 'anything' })
    expect(thread.error.code).toBe('invalid_request')
    expect(shell.frames.filter((f) => f.subscription !== undefined)).toEqual([])
    shell.close()
  })
})

describe('a subscription whose token expires', () => {
  it('should stop receiving events, be told token_expired and be closed with 4001', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const shortLived = await token({ expiresIn: 2 })
    const socket = await connect(`/v1/ws?threadId=${threadId}`, shortLived)
    await socket.request('s', 'subscribeThread', { threadId })
    const live = await rename(tok, threadId, 'while valid')
    await socket.until((frames) => frames.find((f) => f.item?.kind === 'event' && f.item.sequence === live))
    // JWT expiry has one-second resolution: wait past it, then commit another event.
    await new Promise((resolve) => setTimeout(resolve, 2100))
    const late = await rename(tok, threadId, 'after expiry')
    await socket.until((frames) => frames.find((f) => f.error?.code === 'token_expired'))
    await socket.until(() => socket.closed)
    expect(socket.closed?.code).toBe(4001)
    expect(socket.frames.some((f) => f.item?.kind === 'event' && f.item.sequence === late)).toBe(false)
  })
})
