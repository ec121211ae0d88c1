/**
 * @module The measured scenarios. Each takes the server under test and the same prepared input
 * (bodies or frames) for Loom and the baseline; the returned figures include server CPU from
 * /proc (see cpu.ts) and the load generator's own CPU.
 */
import { Socket, pool, post, waitFor } from './client.ts'
import { cpuMs, measureCpu } from './cpu.ts'
import { percentile } from './stats.ts'
import { clientProtocols, sendBatches, wsUrl } from './loom.ts'
import type { Server } from './server.ts'

export type Target = { server: Server; isLoom: boolean; threadId: string; token: string }

export type Figures = Record<string, number>

const postUrl = (t: Target) => (t.isLoom ? `${t.server.url}/v1/commands` : `${t.server.url}/?t=${t.threadId}`)
const subscribeUrl = (t: Target) => (t.isLoom ? wsUrl(t.server, `/v1/ws?threadId=${t.threadId}`) : wsUrl(t.server, `/sub?t=${t.threadId}`))

/** `thread.metadata.update` bodies: what a client dispatches; the baseline gets the same bytes. */
export const metadataBodies = (threadId: string, count: number, tag: string): string[] =>
  Array.from({ length: count }, (_, i) =>
    JSON.stringify({ commandId: `cmd-${tag}-${i}`, type: 'thread.metadata.update', threadId, title: `Bench title ${tag} ${i}` }),
  )

/** 1. Dispatch latency over HTTP with `concurrency` requests in flight. */
export const dispatchLatency = async (t: Target, bodies: string[], concurrency: number): Promise<Figures> => {
  const latencies: number[] = []
  const url = postUrl(t)
  const { serverMs, clientMs, wallMs } = await measureCpu(t.server.pid, () =>
    pool(bodies.length, concurrency, async (i) => {
      latencies.push((await post(url, bodies[i] as string, t.token)).ms)
    }),
  )
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    perSecond: (bodies.length / wallMs) * 1000,
    serverCpuPerOp: serverMs / bodies.length,
    clientCpuPerOp: clientMs / bodies.length,
  }
}

/** 2. Runner ingest: batch frames over one link, at most `window` unacknowledged. */
export const ingest = async (t: Target, link: Socket, frames: string[], firstSeq: number, events: number, window: number): Promise<Figures> => {
  const { serverMs, clientMs, wallMs } = await measureCpu(t.server.pid, () => sendBatches(link, frames, firstSeq, window))
  // Loom writes projection rows behind the log (within a second of a commit, worker/thread/write-behind.ts):
  // the server's CPU until then, with nothing else running, is part of the cost of an event.
  const before = cpuMs(t.server.pid)
  await new Promise((resolve) => setTimeout(resolve, WRITE_BEHIND_SETTLE_MS))
  const settleMs = cpuMs(t.server.pid) - before
  return {
    eventsPerSecond: (events / wallMs) * 1000,
    wallMs,
    serverCpuPerOp: serverMs / events,
    serverCpuSettledPerOp: (serverMs + settleMs) / events,
    clientCpuPerOp: clientMs / events,
  }
}

const WRITE_BEHIND_SETTLE_MS = 1_300

/**
 * Opens `count` subscriber sockets and subscribes each (snapshot awaited), coalescing as Loom's
 * typed client and browser UI do (the baseline gets the same frame and ignores the flag).
 */
export const subscribers = async (t: Target, count: number): Promise<Socket[]> => {
  const sockets: Socket[] = []
  for (let i = 0; i < count; i++) {
    const socket = await Socket.open(subscribeUrl(t), clientProtocols(t.token))
    socket.send({ id: 1, method: 'subscribeThread', params: { threadId: t.threadId, coalesce: true } })
    await socket.until((f) => (f.length >= 2 ? true : undefined))
    sockets.push(socket)
  }
  return sockets
}

/** The events in a subscriber frame: Loom's coalesced `items`, or one (a classic Loom frame, the baseline's). */
const eventsIn = (frame: any): any[] => (Array.isArray(frame.items) ? frame.items.filter((i: any) => i.kind === 'event') : [frame.item?.kind === 'event' ? frame.item : frame])

/**
 * 3. Fan-out: `bodies.length` events dispatched over HTTP (`concurrency` in flight) to a thread
 * with these subscribers; time from the first POST until every subscriber has every event.
 * Every subscriber parses every frame, as a client would.
 */
export const fanOut = async (t: Target, sockets: Socket[], bodies: string[], concurrency: number): Promise<Figures> => {
  const expected = bodies.length
  const counts = new Array<number>(sockets.length).fill(0)
  let complete = 0
  let doneAt = 0
  let lastEvent: any = null
  let frames = 0
  let bytes = 0
  sockets.forEach((socket, i) => {
    socket.keep = false
    socket.onFrame = (data) => {
      const events = eventsIn(JSON.parse(data))
      if (i === 0) {
        frames++
        bytes += Buffer.byteLength(data)
      }
      counts[i]! += events.length
      if (counts[i]! >= expected && counts[i]! - events.length < expected) {
        if (i === 0) lastEvent = events.at(-1)
        if (++complete === sockets.length) doneAt = performance.now()
      }
    }
  })
  const url = postUrl(t)
  const t0 = performance.now()
  const { serverMs, clientMs } = await measureCpu(t.server.pid, async () => {
    await pool(bodies.length, concurrency, async (i) => {
      await post(url, bodies[i] as string, t.token)
    })
    await waitFor(() => complete === sockets.length, 'fan-out deliveries')
  })
  const last = t.isLoom ? lastEvent?.event.event.payload.title : lastEvent?.body.title
  if (!String(last).startsWith('Bench title')) throw new Error(`unexpected last event ${JSON.stringify(lastEvent).slice(0, 300)}`)
  if (counts.some((c) => c !== expected)) throw new Error(`fan-out counts ${counts.join(',')}`)
  const deliveries = expected * sockets.length
  const ms = doneAt - t0
  return {
    ms,
    deliveriesPerSecond: (deliveries / ms) * 1000,
    framesPerSubscriber: frames,
    bytesPerEvent: bytes / expected,
    serverCpuPerOp: serverMs / deliveries,
    clientCpuPerOp: clientMs / deliveries,
  }
}

/** 4. Catch-up: a new subscriber asks for the thread; time until its snapshot frame arrives. */
export const catchUp = async (t: Target, times: number): Promise<Figures> => {
  const sockets: Socket[] = []
  for (let i = 0; i < times; i++) sockets.push(await Socket.open(subscribeUrl(t), clientProtocols(t.token)))
  const latencies: number[] = []
  let bytes = 0
  let events = 0
  const { serverMs } = await measureCpu(t.server.pid, async () => {
    for (const socket of sockets) {
      socket.keep = false
      let frames = 0
      let snapshot = ''
      let at = 0
      socket.onFrame = (data) => {
        if (++frames === 2) {
          at = performance.now()
          snapshot = data
        }
      }
      const t0 = performance.now()
      socket.send({ id: 1, method: 'subscribeThread', params: { threadId: t.threadId } })
      await waitFor(() => at !== 0, 'snapshot')
      latencies.push(at - t0)
      bytes = Buffer.byteLength(snapshot)
      const parsed = JSON.parse(snapshot)
      events = t.isLoom ? parsed.item.sequence : parsed.snapshot.length
    }
  })
  for (const socket of sockets) socket.close()
  return { p50: percentile(latencies, 50), max: Math.max(...latencies), bytes, events, serverCpuPerOp: serverMs / times }
}
