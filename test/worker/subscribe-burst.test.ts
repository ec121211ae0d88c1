/**
 * A subscriber that joins while 500 commands land concurrently misses nothing and doubles nothing.
 * Most of the burst goes straight to the object's `dispatch` RPC (what POST /v1/commands calls):
 * the pool's SELF.fetch slows down sharply after a few hundred requests (workers-sdk #15446),
 * which would turn a burst into a trickle. A slice still goes over HTTP and over a socket.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { api, connect, createThread, dispatch, token, uniqueId, type TestSocket } from './helpers.ts'

const BURST = 500

/**
 * Dispatches every title at once, by three paths chosen by index so they interleave; `midway`
 * runs when half of them are on their way (a subscriber joining then lands between commands).
 */
const burstOf = async (tok: string, threadId: string, titles: string[], midway: () => void) => {
  const stub = env.THREADS.get(env.THREADS.idFromName(threadId))
  const claims = { sub: 'user:burst', scopes: ['read', 'operate'] as Array<'read' | 'operate'>, workspaces: ['ws-test'], exp: Math.floor(Date.now() / 1000) + 3600 }
  const socket = await connect(`/v1/ws?threadId=${threadId}`, tok)
  const results = await Promise.all(
    titles.map(async (title, i) => {
      if (i === Math.floor(titles.length / 2)) midway()
      const command = { commandId: uniqueId('burst'), type: 'thread.metadata.update', threadId, title }
      if (i % 10 === 0) return (await dispatch(tok, command)).body
      if (i % 10 === 1) return (await socket.request(`d${i}`, 'dispatchCommand', command)).result
      const reply = await stub.dispatch(claims, command)
      return reply.status === 200 ? JSON.parse(reply.body) : { error: reply.body }
    }),
  )
  socket.close()
  return results as Array<{ sequence: number }>
}

const eventsOf = (socket: TestSocket) => socket.frames.filter((f) => f.item?.kind === 'event').map((f) => f.item)

/** Sequences must run from `from` up to `to` with no gap and no repeat. */
const expectContiguous = (sequences: number[], from: number, to: number) => {
  expect(sequences).toEqual(Array.from({ length: to - from + 1 }, (_, i) => from + i))
}

describe('subscribing during a burst of concurrent dispatches', () => {
  it('should give a late subscriber every event after its snapshot exactly once, in order', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const early = await connect(`/v1/ws?threadId=${threadId}`, tok)
    const earlyAnswer = await early.request('early', 'subscribeThread', { threadId })
    expect(earlyAnswer.result.sequence).toBe(1)

    const titles = Array.from({ length: BURST }, (_, i) => `title ${i}`)
    // The late socket is open already; it subscribes once the burst is under way.
    const late = await connect(`/v1/ws?threadId=${threadId}`, tok)
    const results = await burstOf(tok, threadId, titles, () => late.send({ id: 'late', method: 'subscribeThread', params: { threadId } }))
    const lateAnswer = await late.until((f) => f.find((x) => x.id === 'late'))
    const last = 1 + BURST
    // Every command got its own sequence: 2 ... last, each once.
    expect(results.map((r) => r.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: BURST }, (_, i) => i + 2))

    // The late subscriber joined mid-burst: its answer, then a snapshot at N, then N+1 ... last.
    expect(lateAnswer.result.sequence).toBeGreaterThan(1)
    expect(lateAnswer.result.sequence).toBeLessThan(last)
    await early.until((f) => f.filter((x) => x.item?.kind === 'event').length >= BURST, 20_000)
    await late.until((f) => f.some((x) => x.item?.kind === 'event' && x.item.sequence === last), 20_000)
    const lateItems = late.frames.filter((f) => f.subscription === `thread:${threadId}`).map((f) => f.item)
    expect(lateItems[0].kind).toBe('snapshot')
    const snapshot = lateItems[0]
    expect(snapshot.sequence).toBe(lateAnswer.result.sequence)
    expect(snapshot.projection.sequence).toBe(snapshot.sequence)
    expect(lateItems.slice(1).every((i: any) => i.kind === 'event')).toBe(true)
    const lateEvents = eventsOf(late)
    expectContiguous(
      lateEvents.map((e: any) => e.sequence),
      snapshot.sequence + 1,
      last,
    )
    // The snapshot holds exactly the events up to its sequence: its title is the one event N set.
    const log = await api(`/v1/threads/${threadId}/events?after=0`, { token: tok })
    const atSnapshot = log.body.events.find((e: any) => e.sequence === snapshot.sequence)
    expect(snapshot.projection.thread.title).toBe(atSnapshot.event.payload.title)

    // The early subscriber: every event of the burst, in order, once.
    const earlyEvents = eventsOf(early)
    expectContiguous(
      earlyEvents.map((e: any) => e.sequence),
      2,
      last,
    )
    expect(new Set(earlyEvents.map((e: any) => e.event.event.payload.title))).toEqual(new Set(titles))
    // What both saw is what the log holds, event for event.
    expect(earlyEvents.map((e: any) => e.event)).toEqual(log.body.events.slice(1))
    expect(lateEvents.map((e: any) => e.event)).toEqual(log.body.events.slice(snapshot.sequence))
    early.close()
    late.close()
  })

  it('should resume with afterSequence during a burst with no gap between the catch-up and the live events', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    await Promise.all(Array.from({ length: 9 }, (_, i) => dispatch(tok, { type: 'thread.metadata.update', threadId, title: `before ${i}` })))
    const resumed = await connect(`/v1/ws?threadId=${threadId}`, tok)
    await burstOf(tok, threadId, Array.from({ length: 200 }, (_, i) => `t${i}`), () =>
      resumed.send({ id: 1, method: 'subscribeThread', params: { threadId, afterSequence: 5 } }),
    )
    const answer = await resumed.until((f) => f.find((x) => x.id === 1))
    // It joined mid-burst: some events came as catch-up, the rest live.
    expect(answer.result.sequence).toBeGreaterThan(10)
    expect(answer.result.sequence).toBeLessThan(210)
    await resumed.until((f) => f.some((x) => x.item?.kind === 'event' && x.item.sequence === 210), 20_000)
    const items = resumed.frames.filter((f) => f.subscription).map((f) => f.item)
    expect(items.some((i: any) => i.kind === 'snapshot')).toBe(false)
    expectContiguous(
      items.map((i: any) => i.sequence),
      6,
      210,
    )
    resumed.close()
  })
})
