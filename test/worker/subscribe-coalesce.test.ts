/**
 * Coalescing subscriptions (`subscribeThread { coalesce: true }`): items that land close
 * together come in one `{ subscription, items }` frame. Beside a classic subscriber, through a
 * burst of concurrent dispatches, each coalescing subscriber must see exactly what the classic
 * one sees (every event once, in order, equal to the log), one joining mid-burst a snapshot and
 * then every later event once, and a command's several events must come in one frame.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { api, connect, createThread, token, uniqueId, type TestSocket } from './helpers.ts'

const BURST = 300

/** The stream items a socket got, classic frames and coalesced ones alike, in order. */
const itemsOf = (socket: TestSocket, threadId: string): any[] =>
  socket.frames.filter((f) => f.subscription === `thread:${threadId}`).flatMap((f) => (Array.isArray(f.items) ? f.items : [f.item]))

const eventSequences = (items: any[]) => items.filter((i) => i.kind === 'event').map((i) => i.sequence)
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

describe('coalescing subscriptions', () => {
  it('should carry the same events as a classic subscription, in fewer frames, through a burst', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const classic = await connect(`/v1/ws?threadId=${threadId}`, tok)
    const coalescing = await connect(`/v1/ws?threadId=${threadId}`, tok)
    const late = await connect(`/v1/ws?threadId=${threadId}`, tok)
    await classic.request('c', 'subscribeThread', { threadId })
    await coalescing.request('k', 'subscribeThread', { threadId, coalesce: true })

    const stub = env.THREADS.get(env.THREADS.idFromName(threadId))
    const claims = { sub: 'user:coalesce', scopes: ['read', 'operate'] as Array<'read' | 'operate'>, workspaces: ['ws-test'], exp: Math.floor(Date.now() / 1000) + 3600 }
    await Promise.all(
      Array.from({ length: BURST }, async (_, i) => {
        if (i === BURST / 2) late.send({ id: 'late', method: 'subscribeThread', params: { threadId, coalesce: true } })
        const reply = await stub.dispatch(claims, { commandId: uniqueId('co'), type: 'thread.metadata.update', threadId, title: `title ${i}` })
        expect(reply.status).toBe(200)
      }),
    )
    const last = 1 + BURST
    const seenAll = (socket: TestSocket) => socket.until((f) => (eventSequences(itemsOf(socket, threadId)).at(-1) === last ? true : undefined), 20_000)
    await Promise.all([seenAll(classic), seenAll(coalescing), seenAll(late)])

    const log = (await api(`/v1/threads/${threadId}/events?after=0&limit=1000`, { token: tok })).body.events
    const classicItems = itemsOf(classic, threadId)
    const coalescedItems = itemsOf(coalescing, threadId)
    expect(eventSequences(classicItems)).toEqual(range(2, last))
    expect(coalescedItems).toEqual(classicItems)
    expect(coalescedItems.filter((i) => i.kind === 'event').map((i) => i.event)).toEqual(log.slice(1))
    // After its snapshot, only coalesced frames on that socket, fewer than the events.
    const [snapshotFrame, ...coalescedFrames] = coalescing.frames.filter((f) => f.subscription !== undefined)
    expect(snapshotFrame.item.kind).toBe('snapshot')
    expect(coalescedFrames.every((f) => Array.isArray(f.items) && f.item === undefined)).toBe(true)
    expect(coalescedFrames.length).toBeLessThan(BURST)

    // The late subscriber: its snapshot at N, then N+1 ... last, each once.
    const lateItems = itemsOf(late, threadId)
    const answer = late.frames.find((f) => f.id === 'late')
    expect(lateItems[0].kind).toBe('snapshot')
    expect(lateItems[0].sequence).toBe(answer.result.sequence)
    expect(eventSequences(lateItems.slice(1))).toEqual(range(answer.result.sequence + 1, last))
    expect(lateItems.slice(1).every((i: any) => i.kind === 'event')).toBe(true)
    for (const socket of [classic, coalescing, late]) socket.close()
  })

  it("should send one command's several events in one frame", async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const socket = await connect(`/v1/ws?threadId=${threadId}`, tok)
    const answer = await socket.request('s', 'subscribeThread', { threadId, coalesce: true })
    const before = answer.result.sequence
    const sent = await socket.request('d', 'dispatchCommand', { commandId: uniqueId('msg'), type: 'message.dispatch', threadId, text: 'hello' })
    const after = sent.result.sequence
    expect(after - before).toBeGreaterThan(1)
    const frame = await socket.until((f) => f.find((x) => Array.isArray(x.items) && x.items.some((i: any) => i.sequence === after)))
    expect(frame.items.map((i: any) => i.sequence)).toEqual(range(before + 1, after))
    socket.close()
  })
})
