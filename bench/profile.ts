/**
 * @module `node bench/profile.ts [ingest|dispatch|dispatch1|fanout|catchup]`: one scenario against Loom with the
 * V8 sampling profiler of workerd's `core:user:` isolate (DevTools protocol on 127.0.0.1),
 * (`dispatch1` is concurrency 1) printing the functions with the most self and inclusive time. A diagnostic, not a benchmark.
 */
import { randomBytes } from 'node:crypto'
import { batchFrames, connectRunner, createThread, loomTokens, startRun } from './loom.ts'
import { catchUp, dispatchLatency, fanOut, ingest, metadataBodies, subscribers } from './scenarios.ts'
import { startLoom } from './server.ts'
import { inspectUserIsolate } from './inspector.ts'

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] }

const scenario = process.argv[2] ?? 'ingest'
const port = 9329
process.env.BENCH_INSPECT = String(port)
const secret = randomBytes(24).toString('hex')
const loom = await startLoom(secret)

try {
  const ws = 'profile-ws'
  const tokens = await loomTokens(secret, ws)
  const runner = await connectRunner(loom, tokens, ws)
  const t = (threadId: string) => ({ server: loom, isLoom: true, threadId, token: tokens.operate })
  let catchUpThread: string | undefined
  const work = async (scale: number) => {
    if (scenario === 'ingest') {
      const link = await startRun(loom, tokens, runner, ws)
      const n = Math.ceil(5000 * scale)
      console.log(await ingest(t(link.threadId), link.socket, batchFrames(link.runId, link.epoch, 1, 0, n, 50), 1, n, 4))
      link.socket.close()
    } else if (scenario === 'catchup') {
      catchUpThread ??= await (async () => {
        const link = await startRun(loom, tokens, runner, ws)
        await ingest(t(link.threadId), link.socket, batchFrames(link.runId, link.epoch, 1, 0, 3331, 50), 1, 3331, 4)
        link.socket.close()
        return link.threadId
      })()
      console.log(await catchUp(t(catchUpThread), Math.ceil(10 * scale)))
    } else if (scenario === 'dispatch' || scenario === 'dispatch1') {
      const threadId = await createThread(loom, tokens.operate, ws)
      const concurrency = scenario === 'dispatch' ? 20 : 1
      console.log(await dispatchLatency(t(threadId), metadataBodies(threadId, Math.ceil(1000 * scale), `p${scale}`), concurrency))
    } else {
      const threadId = await createThread(loom, tokens.operate, ws)
      const sockets = await subscribers(t(threadId), Math.ceil(100 * scale))
      console.log(await fanOut(t(threadId), sockets, metadataBodies(threadId, Math.ceil(1000 * scale), `f${scale}`), 10))
      for (const s of sockets) s.close()
    }
  }
  await work(0.2)
  const session = await inspectUserIsolate(port)
  await session.call('Profiler.enable')
  await session.call('Profiler.setSamplingInterval', { interval: 200 })
  await session.call('Profiler.start')
  await work(Number(process.argv[3] ?? 1))
  const { profile } = (await session.call('Profiler.stop')) as { profile: Profile }
  session.close()

  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`
  const selfBy = new Map<string, number>()
  const totalBy = new Map<string, number>()
  let total = 0
  for (const [id, us] of self) {
    total += us
    const n = byId.get(id) as Node
    selfBy.set(label(n), (selfBy.get(label(n)) ?? 0) + us)
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur) as Node)
      if (seen.has(l)) continue
      seen.add(l)
      totalBy.set(l, (totalBy.get(l) ?? 0) + us)
    }
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k).map(([l, us]) => `${(us / 1000).toFixed(1).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${l}`).join('\n')
  console.log(`sampled ${(total / 1000).toFixed(0)} ms\n-- self --\n${top(selfBy, 30)}\n-- inclusive --\n${top(totalBy, 45)}`)
} finally {
  await loom.dispose()
}
