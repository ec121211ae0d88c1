/**
 * @module Thread subscriptions against a fake server (fake-loom.ts: a mock of the network
 * boundary; the thread behind it is the real decider): reconnect, resume without gap or
 * duplicate, fresh snapshots, bounded queues, ending.
 */
import { describe, expect, it } from 'vitest'
import { create, dispatch, item, linked, say, turnStarted } from '../domain/testing/steps.ts'
import type { ThreadStreamItem } from '../contracts/wire/client.ts'
import { createLoomClient, type LoomClientOptions } from './client.ts'
import { FakeLoom, until } from './fake-loom.ts'
import { SubscriptionError } from './result.ts'
import { applyThreadItem } from './apply-thread-item.ts'

const clientFor = (server: FakeLoom, extra: Partial<LoomClientOptions> = {}) =>
  createLoomClient({
    baseUrl: 'http://loom.test',
    token: 'tok',
    WebSocket: server.WebSocket,
    fetch: server.fetch,
    reconnect: { initialDelayMs: 2, maxDelayMs: 10 },
    ...extra,
  })

/** Reads items in the background into `items`, so a test can act while the loop runs. */
const collect = (iterable: AsyncIterable<ThreadStreamItem>) => {
  const items: ThreadStreamItem[] = []
  const state: { error: unknown; done: boolean } = { error: null, done: false }
  const loop = (async () => {
    try {
      for await (const item of iterable) items.push(item)
    } catch (error) {
      state.error = error
    }
    state.done = true
  })()
  return { items, state, loop }
}

const sequences = (items: ThreadStreamItem[]) => items.flatMap((i) => (i.kind === 'event' ? [i.sequence] : i.kind === 'snapshot' ? [-i.sequence] : []))

describe('subscribeThread', () => {
  it('should start with a snapshot and then deliver live events in order', async () => {
    const server = new FakeLoom(create(), linked())
    const start = server.sequence
    const client = clientFor(server)
    const sub = client.subscribeThread(server.threadId)
    const seen = collect(sub)
    await until(() => seen.items.length === 1)
    expect(seen.items[0]).toMatchObject({ kind: 'snapshot', sequence: server.sequence })
    server.step(dispatch('hi'), turnStarted(1))
    await until(() => sub.lastSequence === server.sequence)
    expect(sequences(seen.items)).toEqual([-start, ...server.stored.slice(start).map((e) => e.sequence)])
    expect(server.open[0]?.protocols).toEqual(['loom.v1', 'loom.token.tok'])
    sub.close()
    await seen.loop
    expect(seen.state).toEqual({ error: null, done: true })
  })

  it('should ask for coalesced frames and deliver each item of one, in order', async () => {
    const server = new FakeLoom(create(), linked())
    const client = clientFor(server)
    const sub = client.subscribeThread(server.threadId)
    const seen = collect(sub)
    await until(() => sub.state === 'open')
    expect(server.subscribeRequests()[0]?.params).toEqual({ threadId: server.threadId, coalesce: true })
    const before = server.sequence
    const fresh = server.step(dispatch('one'), turnStarted(1), say(1, 'a', 'x'), say(1, 'b', 'y'))
    await until(() => sub.lastSequence === server.sequence)
    // All of them came in one frame.
    expect(server.open[0]?.sent.filter((f) => 'items' in f)).toHaveLength(1)
    expect(fresh.length).toBeGreaterThan(3)
    expect(sequences(seen.items).slice(1)).toEqual(server.stored.slice(before).map((e) => e.sequence))
    sub.close()
    await seen.loop
  })

  it('should reconnect after a cut and resume after the last sequence, with no gap and no duplicate', async () => {
    const server = new FakeLoom(create(), linked())
    const client = clientFor(server)
    const states: string[] = []
    client.connection.subscribe((s) => states.push(s))
    const sub = client.subscribeThread(server.threadId)
    const seen = collect(sub)
    await until(() => sub.state === 'open')
    server.step(dispatch('one'))
    await until(() => sub.lastSequence === server.sequence)
    const before = server.sequence
    server.cutAll()
    server.refuseOpens = 2
    server.step(turnStarted(1), say(1, 'a', 'hello'))
    await until(() => sub.state === 'reconnecting')
    expect(client.connection.state).toBe('offline')
    await until(() => sub.lastSequence === server.sequence && sub.state === 'open')
    // The resume asked for exactly what it missed.
    expect(server.subscribeRequests().at(-1)?.params).toEqual({ threadId: server.threadId, afterSequence: before, coalesce: true })
    // A server that repeats an event it already sent: dropped.
    const last = server.stored.at(-1)
    if (!last) throw new Error('no events')
    server.broadcast({ kind: 'event', sequence: last.sequence, event: last })
    server.step(say(1, 'b', 'again'))
    await until(() => sub.lastSequence === server.sequence)
    const events = seen.items.filter((i) => i.kind === 'event').map((i) => (i.kind === 'event' ? i.sequence : 0))
    const first = seen.items[0]
    if (first?.kind !== 'snapshot') throw new Error('expected a snapshot first')
    const expected = Array.from({ length: server.sequence - first.sequence }, (_, k) => first.sequence + k + 1)
    expect(events).toEqual(expected)
    expect(states).toEqual(['online', 'offline', 'online'])
    await sub.return()
    await seen.loop
    expect(client.connection.state).toBe('idle')
  })

  it('should keep a live projection equal to the server projection across a reconnect', async () => {
    const server = new FakeLoom(create(), linked(), dispatch('one'))
    const client = clientFor(server)
    const sub = client.subscribeThread(server.threadId)
    let view = null as ReturnType<typeof applyThreadItem>
    const loop = (async () => {
      for await (const item of sub) view = applyThreadItem(view, item)
    })()
    await until(() => sub.state === 'open')
    server.step(turnStarted(1))
    server.cutAll()
    server.step(say(1, 'a', 'hello'), item(1, 'b', { type: 'reasoning', text: 'hm' }))
    await until(() => view?.sequence === server.sequence)
    expect(view).toEqual(server.projection())
    sub.close()
    await loop
  })

  it('should ask for a fresh snapshot when a delta does not continue the text it has seen', async () => {
    const server = new FakeLoom(create(), linked(), dispatch('one'), turnStarted(1), item(1, 'a', { type: 'assistant_message', text: '' }, { status: 'running' }))
    const itemId = server.projection().turnItems.find((i) => i.status === 'running')?.id
    if (!itemId) throw new Error('no running item')
    const client = clientFor(server)
    const sub = client.subscribeThread(server.threadId)
    const seen = collect(sub)
    await until(() => sub.state === 'open')
    server.delta(itemId, 'Hel')
    await until(() => seen.items.some((i) => i.kind === 'delta'))
    server.cutAll()
    server.deltaUnheard(itemId, 'lo, ')
    await until(() => sub.state === 'open' && server.subscribeRequests().length === 2)
    server.delta(itemId, 'world')
    const snapshots = () => seen.items.filter((i) => i.kind === 'snapshot')
    await until(() => snapshots().length === 2)
    expect(server.subscribeRequests().at(-1)?.params).toEqual({ threadId: server.threadId, coalesce: true })
    const latest = snapshots().at(-1)
    expect(latest?.kind === 'snapshot' && latest.projection.streaming[itemId]).toBe('Hello, world')
    // The delta with the hole was not delivered.
    expect(seen.items.filter((i) => i.kind === 'delta').map((i) => (i.kind === 'delta' ? i.text : ''))).toEqual(['Hel'])
    server.delta(itemId, '!')
    await until(() => seen.items.at(-1)?.kind === 'delta')
    expect(seen.items.at(-1)).toEqual({ kind: 'delta', itemId, offset: 12, text: '!' })
    sub.close()
    await seen.loop
  })

  it('should drop to a fresh snapshot when the consumer falls behind, never queueing past the limit', async () => {
    const server = new FakeLoom(create(), linked())
    const client = clientFor(server, { maxQueuedItems: 4 })
    const sub = client.subscribeThread(server.threadId)
    await until(() => sub.state === 'open')
    // Nobody reads: the snapshot and 3 events fill the queue, the 4th overflows it.
    server.step(dispatch('one'), turnStarted(1), say(1, 'a', 'x'), say(1, 'b', 'y'), say(1, 'c', 'z'))
    await until(() => server.subscribeRequests().length === 2)
    await new Promise((resolve) => setTimeout(resolve, 20))
    const items: ThreadStreamItem[] = []
    for await (const item of sub) {
      items.push(item)
      if (item.kind === 'snapshot' && item.sequence === server.sequence) break
    }
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({ kind: 'snapshot', sequence: server.sequence })
    expect(sub.state).toBe('closed')
  })

  it("should end with subscription_overflow under onOverflow: 'error', after the items it kept", async () => {
    const server = new FakeLoom(create(), linked())
    const client = clientFor(server, { maxQueuedItems: 2 })
    const sub = client.subscribeThread(server.threadId, { onOverflow: 'error' })
    await until(() => sub.state === 'open')
    server.step(dispatch('one'), turnStarted(1))
    await until(() => sub.state === 'closed')
    const seen = collect(sub)
    await seen.loop
    expect(seen.items.map((i) => i.kind)).toEqual(['snapshot', 'event'])
    expect(seen.state.error).toBeInstanceOf(SubscriptionError)
    expect((seen.state.error as SubscriptionError).error).toMatchObject({ code: 'subscription_overflow', status: 0 })
    expect(server.open).toHaveLength(0)
  })

  it('should end with the HTTP error when the socket cannot open and the thread does not exist', async () => {
    const server = new FakeLoom(create())
    server.refuseOpens = 1
    server.httpAnswer = { status: 404, body: { code: 'thread_not_found', message: 'thread nope does not exist' } }
    const client = clientFor(server)
    const seen = collect(client.subscribeThread('nope'))
    await seen.loop
    expect((seen.state.error as SubscriptionError).error).toEqual({ code: 'thread_not_found', message: 'thread nope does not exist', status: 404 })
    expect(server.sockets).toHaveLength(1)
  })

  it('should end when the server says the token expired', async () => {
    const server = new FakeLoom(create())
    const client = clientFor(server)
    const sub = client.subscribeThread(server.threadId)
    const seen = collect(sub)
    await until(() => sub.state === 'open')
    server.open[0]?.deliver({ id: null, error: { code: 'token_expired', message: 'the token has expired' } })
    await seen.loop
    expect((seen.state.error as SubscriptionError).error).toMatchObject({ code: 'token_expired', status: 401 })
    expect(seen.items.map((i) => i.kind)).toEqual(['snapshot'])
  })

  it('should end, not reconnect, when the server closes with 4003 (token revoked)', async () => {
    const server = new FakeLoom(create())
    const client = clientFor(server)
    const sub = client.subscribeThread(server.threadId)
    const seen = collect(sub)
    await until(() => sub.state === 'open')
    server.open[0]?.cut(4003, 'token revoked')
    await seen.loop
    expect((seen.state.error as SubscriptionError).error).toEqual({ code: 'unauthorized', message: 'token revoked', status: 401 })
    expect(server.sockets).toHaveLength(1)
  })

  it('should close its socket on break and when its signal aborts', async () => {
    const server = new FakeLoom(create())
    const client = clientFor(server)
    for await (const first of client.subscribeThread(server.threadId)) {
      expect(first.kind).toBe('snapshot')
      break
    }
    await until(() => server.open.length === 0)
    const controller = new AbortController()
    const sub = client.subscribeThread(server.threadId, { signal: controller.signal })
    const seen = collect(sub)
    await until(() => sub.state === 'open')
    controller.abort()
    await seen.loop
    expect(seen.state).toEqual({ error: null, done: true })
    await until(() => server.open.length === 0)
    expect(client.connection.state).toBe('idle')
  })

  it('should resume from a given afterSequence without a snapshot', async () => {
    const server = new FakeLoom(create(), linked(), dispatch('one'))
    const client = clientFor(server)
    const sub = client.subscribeThread(server.threadId, { afterSequence: 1 })
    const seen = collect(sub)
    await until(() => sub.lastSequence === server.sequence)
    expect(seen.items.every((i) => i.kind === 'event')).toBe(true)
    expect(sequences(seen.items)).toEqual(server.stored.slice(1).map((e) => e.sequence))
    sub.close()
    await seen.loop
  })
})

describe('subscribeShell', () => {
  it('should deliver a fresh snapshot of the workspace after each reconnect', async () => {
    const server = new FakeLoom(create())
    const client = clientFor(server)
    const shell = client.subscribeShell('ws-1', { archived: false })
    const kinds: string[] = []
    const loop = (async () => {
      for await (const item of shell) kinds.push(item.kind === 'snapshot' ? `snapshot:${item.threads.map((t) => t.title).join(',')}` : item.kind)
    })()
    await until(() => kinds.length === 1)
    server.cutAll()
    server.step(dispatch('hi'))
    await until(() => kinds.length === 2)
    shell.close()
    await loop
    const title = server.projection().thread.title
    expect(kinds).toEqual([`snapshot:${title}`, `snapshot:${title}`])
    expect(server.sockets.flatMap((s) => s.received).map((f) => f.params)).toEqual([
      { workspaceId: 'ws-1', archived: false },
      { workspaceId: 'ws-1', archived: false },
    ])
    expect(server.sockets.map((s) => s.url)).toEqual(['ws://loom.test/v1/ws?workspaceId=ws-1', 'ws://loom.test/v1/ws?workspaceId=ws-1'])
  })
})
