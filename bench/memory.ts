/**
 * @module `node bench/memory.ts [steps]`: the JavaScript heap a thread object holds per
 * provider item, read from workerd's user isolate over the DevTools protocol after a forced
 * collection. A thread per text size (200, 2,000 and 50,000 characters) takes completed
 * assistant items in steps of about 10 MB of text, and a subscriber snapshot after each step;
 * the heap after each step is printed with its growth per item. A diagnostic for
 * docs/scaling.md, not a benchmark.
 */
import { randomBytes } from 'node:crypto'
import { inspectUserIsolate } from './inspector.ts'
import { batchFrames, connectRunner, loomTokens, startRun } from './loom.ts'
import { catchUp, ingest } from './scenarios.ts'
import { startLoom } from './server.ts'

const steps = Number(process.argv[2] ?? 3)
const port = 9330
process.env.BENCH_INSPECT = String(port)
const secret = randomBytes(24).toString('hex')
const loom = await startLoom(secret)
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1)

try {
  const workspace = 'memory-ws'
  const tokens = await loomTokens(secret, workspace)
  const runner = await connectRunner(loom, tokens, workspace)
  const inspector = await inspectUserIsolate(port)
  const heapUsed = async (): Promise<number> => {
    await inspector.call('HeapProfiler.collectGarbage')
    return (await inspector.call('Runtime.getHeapUsage')).usedSize as number
  }
  for (const textChars of [200, 2_000, 50_000]) {
    const perStep = Math.min(5_000, Math.floor(10_000_000 / textChars))
    // Frames stay near the runner's own cap on a batch (512 Ki characters).
    const batch = Math.max(1, Math.min(50, Math.floor(400_000 / textChars)))
    const link = await startRun(loom, tokens, runner, workspace)
    const target = { server: loom, isLoom: true, threadId: link.threadId, token: tokens.operate }
    let seq = link.nextSeq
    let previous = await heapUsed()
    console.log(`items of ${textChars} characters: heap ${mb(previous)} MB before`)
    for (let step = 0; step < steps; step++) {
      const frames = batchFrames(link.runId, link.epoch, seq, step * perStep, perStep, batch, textChars)
      // The projection rows written behind (within the 1.3 s ingest waits) and a snapshot are in the figure.
      await ingest(target, link.socket, frames, seq, perStep, 4)
      seq += frames.length
      await catchUp(target, 1)
      const used = await heapUsed()
      console.log(`  ${(step + 1) * perStep} items: heap ${mb(used)} MB, +${((used - previous) / perStep / 1024).toFixed(2)} KiB per item (${((used - previous) / perStep / textChars).toFixed(2)} bytes per character of text)`)
      previous = used
    }
    link.socket.close()
  }
  inspector.close()
} finally {
  await loom.dispose()
}
