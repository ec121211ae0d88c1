/**
 * @module `node bench/ab.ts <distA> <distB>`: two builds of Loom side by side (each in its own
 * Miniflare), alternated, for judging a performance change: runner ingest and dispatch at
 * concurrency 20 and 1, medians of throughput and server CPU per operation. A diagnostic.
 */
import { randomBytes } from 'node:crypto'
import { batchFrames, connectRunner, createThread, loomTokens, startRun } from './loom.ts'
import { dispatchLatency, ingest, metadataBodies, type Figures } from './scenarios.ts'
import { startLoom, type Server } from './server.ts'
import { median } from './stats.ts'

const [distA, distB] = process.argv.slice(2)
if (!distA || !distB) throw new Error('usage: node bench/ab.ts <distA> <distB>')
const reps = Math.max(1, Math.min(20, Number(process.env.BENCH_REPS ?? 7)))
const secret = randomBytes(24).toString('hex')
const builds = [
  { name: distA, server: await startLoom(secret, distA) },
  { name: distB, server: await startLoom(secret, distB) },
]
const results = new Map<string, Figures[]>()
const keep = (key: string, f: Figures) => results.set(key, [...(results.get(key) ?? []), f])
try {
  const ws = 'ab-ws'
  const tokens = await loomTokens(secret, ws)
  const runners = new Map<Server, Awaited<ReturnType<typeof connectRunner>>>()
  for (const b of builds) runners.set(b.server, await connectRunner(b.server, tokens, ws))
  for (let rep = -1; rep < reps; rep++) {
    for (const b of rep % 2 === 0 ? builds : [...builds].reverse()) {
      const t = (threadId: string) => ({ server: b.server, isLoom: true, threadId, token: tokens.operate })
      const link = await startRun(b.server, tokens, runners.get(b.server)!, ws)
      const ingested = await ingest(t(link.threadId), link.socket, batchFrames(link.runId, link.epoch, 1, 0, 5000, 50), 1, 5000, 4)
      link.socket.close()
      const threadId = await createThread(b.server, tokens.operate, ws)
      const dispatched = await dispatchLatency(t(threadId), metadataBodies(threadId, 1000, `ab${rep}`), 20)
      const serial = await dispatchLatency(t(threadId), metadataBodies(threadId, 300, `ab1-${rep}`), 1)
      if (rep >= 0) {
        keep(`${b.name} ingest`, ingested)
        keep(`${b.name} dispatch c=20`, dispatched)
        keep(`${b.name} dispatch c=1`, serial)
      }
    }
  }
} finally {
  for (const b of builds) await b.server.dispose()
}
for (const [key, figures] of results) {
  const m = (k: string) => median(figures.map((f) => f[k] as number))
  console.log(key, key.endsWith('ingest')
    ? `events/s ${m('eventsPerSecond').toFixed(0)}  server CPU/event ${(m('serverCpuPerOp') * 1000).toFixed(1)} µs, with the write-behind ${(m('serverCpuSettledPerOp') * 1000).toFixed(1)} µs`
    : `p50 ${m('p50').toFixed(1)} ms  req/s ${m('perSecond').toFixed(0)}  server CPU/request ${m('serverCpuPerOp').toFixed(3)} ms`)
}
