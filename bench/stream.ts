/**
 * @module 5. One 10,000-character reply streamed as 3,000 provider deltas through the runner's
 * coalescer (runner/coalescer.ts), bracketed by the item's start and completion batches, as the
 * runner does. Loom is counted with the thread object's meter RPC (durable events, SQLite rows
 * written); the baseline, fed the same frames, writes one row per frame.
 */
import { deriveId } from '../src/contracts/index.ts'
import { createDeltaCoalescer } from '../runner/coalescer.ts'
import { Socket, waitFor } from './client.ts'
import { measureCpu } from './cpu.ts'
import { clientProtocols, sendBatches, wsUrl } from './loom.ts'
import type { Target } from './scenarios.ts'

const STREAM_SETTLE_MS = 1_300

export type Counts = { sequence: number; rowsWritten: number }

export const REPLY_CHARS = 10_000
export const DELTAS = 3_000

/** 3,000 pieces of sizes 4 and 3 that add up to exactly 10,000 characters. */
export const replyDeltas = (): string[] => {
  const words = 'The quick brown fox jumps over the lazy dog, and then writes a careful benchmark report. '
  const reply = words.repeat(Math.ceil(REPLY_CHARS / words.length)).slice(0, REPLY_CHARS)
  const out: string[] = []
  for (let i = 0, at = 0; i < DELTAS; i++) {
    const size = i < REPLY_CHARS - 3 * DELTAS ? 4 : 3
    out.push(reply.slice(at, at + size))
    at += size
  }
  return out
}

const item = (runId: string, status: 'running' | 'completed', text: string) => ({
  type: 'item.updated',
  runId,
  nativeItemId: 'bench-reply',
  parentNativeItemId: null,
  status,
  content: { type: 'assistant_message', text },
})

export type StreamSide = Target & {
  link: Socket
  runId: string
  epoch: number
  firstSeq: number
  /** Events (sequence) and rows written so far; `reset` restarts the row count. */
  counts: (reset: boolean) => Promise<Counts>
}

/**
 * Streams the reply with `gapMs` between provider deltas (0: as fast as the loop runs). On
 * Loom a subscriber checks that the deltas it is sent add up to the reply.
 */
export const streamReply = async (side: StreamSide, gapMs: number) => {
  let streamed = ''
  let subscriber: Socket | null = null
  if (side.isLoom) {
    subscriber = await Socket.open(wsUrl(side.server, `/v1/ws?threadId=${side.threadId}`), clientProtocols(side.token))
    subscriber.send({ id: 1, method: 'subscribeThread', params: { threadId: side.threadId } })
    await subscriber.until((f) => (f.length >= 2 ? true : undefined))
    subscriber.keep = false
    subscriber.onFrame = (data) => {
      const frame = JSON.parse(data)
      if (frame.item?.kind === 'delta') streamed += frame.item.text
    }
  }
  const deltas = replyDeltas()
  const full = deltas.join('')
  const itemId = deriveId.item('codex', 'bench-reply')
  const batch = (seq: number, status: 'running' | 'completed', text: string) =>
    JSON.stringify({ type: 'batch', epoch: side.epoch, seq, events: [item(side.runId, status, text)] })
  const before = await side.counts(true)
  let linkFrames = 0
  const { serverMs, wallMs } = await measureCpu(side.server.pid, async () => {
    await sendBatches(side.link, [batch(side.firstSeq, 'running', '')], side.firstSeq, 1)
    const coalescer = createDeltaCoalescer({
      onFlush: (d) => {
        linkFrames++
        side.link.send({ type: 'delta', itemId: d.itemId, offset: d.offset, text: d.text })
      },
    })
    for (const delta of deltas) {
      coalescer.push(itemId, delta)
      if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs))
    }
    coalescer.end(itemId)
    await sendBatches(side.link, [batch(side.firstSeq + 1, 'completed', full)], side.firstSeq + 1, 1)
  })
  if (subscriber) await waitFor(() => streamed.length >= full.length, 'the subscriber to see every delta', 10_000)
  // Writes that follow a commit asynchronously are counted too: the shell push's outbox row,
  // and the projection rows, written behind the log within PROJECTION_FLUSH_MS (1 s,
  // worker/thread/write-behind.ts) of a commit.
  await new Promise((resolve) => setTimeout(resolve, STREAM_SETTLE_MS))
  const after = await side.counts(false)
  subscriber?.close()
  if (subscriber && streamed !== full) throw new Error(`the subscriber saw ${streamed.length} of ${full.length} characters`)
  return { events: after.sequence - before.sequence, rows: after.rowsWritten, linkFrames, streamMs: wallMs, serverCpuMs: serverMs }
}
