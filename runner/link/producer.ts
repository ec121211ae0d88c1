/**
 * @module The idempotent producer of one thread link (DESIGN.md, "Runner"): events wait in
 * order, leave as batches numbered 1, 2, 3 … for this epoch, and stay kept until the thread
 * acknowledges them, so a reconnect resends exactly what was not committed. Pure: no sockets,
 * no timers.
 */
import { MAX_BATCH_EVENTS, type RuntimeEvent } from '../../src/contracts/index.ts'

export type Batch = { seq: number; events: RuntimeEvent[] }

export type ProducerOptions = {
  /** Events per batch (the link's limit is MAX_BATCH_EVENTS). */
  maxEvents?: number
  /** Approximate JSON characters per batch; one bigger event still goes alone. */
  maxChars?: number
}

/** What to send after the thread told us the last batch it committed. */
export type Resync = {
  resend: Batch[]
  /** The thread has fewer batches than we saw acknowledged; what follows was renumbered. */
  lost: boolean
}

export type Producer = {
  push: (event: RuntimeEvent) => void
  /** Numbers what waits into batches, keeps them as unacknowledged, and returns them to send. */
  take: () => Batch[]
  /** Everything up to `seq` is committed; returns how many batches that released. */
  ack: (seq: number) => number
  /** A (re)connect said `lastSeq` is committed: drop those, return the rest to resend in order. */
  resync: (lastSeq: number) => Resync
  /** Batches sent but not yet acknowledged, oldest first. */
  unacked: () => readonly Batch[]
  /** Whether an event still waiting or unacknowledged matches. */
  holds: (match: (event: RuntimeEvent) => boolean) => boolean
  /** Nothing waits and nothing is unacknowledged. */
  readonly idle: boolean
  readonly pendingCount: number
  readonly nextSeq: number
}

export const createProducer = (options: ProducerOptions = {}): Producer => {
  const maxEvents = Math.min(options.maxEvents ?? MAX_BATCH_EVENTS, MAX_BATCH_EVENTS)
  const maxChars = options.maxChars ?? 512 * 1024
  let pending: Array<{ event: RuntimeEvent; chars: number }> = []
  let unacked: Batch[] = []
  let nextSeq = 1
  let highestAcked = 0

  const take = (): Batch[] => {
    const out: Batch[] = []
    while (pending.length > 0) {
      let count = 0
      let chars = 0
      while (count < pending.length && count < maxEvents) {
        const next = pending[count]!.chars
        if (count > 0 && chars + next > maxChars) break
        chars += next
        count++
      }
      const batch = { seq: nextSeq++, events: pending.slice(0, count).map((p) => p.event) }
      pending = pending.slice(count)
      unacked.push(batch)
      out.push(batch)
    }
    return out
  }

  const ack = (seq: number): number => {
    highestAcked = Math.max(highestAcked, seq)
    const before = unacked.length
    unacked = unacked.filter((b) => b.seq > seq)
    return before - unacked.length
  }

  const resync = (lastSeq: number): Resync => {
    const lost = lastSeq < highestAcked
    ack(lastSeq)
    highestAcked = lastSeq
    // Renumber only when the thread lost batches we saw acknowledged; otherwise seqs already follow on.
    const renumber = unacked.length > 0 && unacked[0]!.seq !== lastSeq + 1
    if (renumber) unacked = unacked.map((b, i) => ({ seq: lastSeq + 1 + i, events: b.events }))
    nextSeq = (unacked.at(-1)?.seq ?? lastSeq) + 1
    return { resend: [...unacked], lost: lost || renumber }
  }

  return {
    push: (event) => void pending.push({ event, chars: JSON.stringify(event).length }),
    take,
    ack,
    resync,
    unacked: () => unacked,
    holds: (match) => pending.some((p) => match(p.event)) || unacked.some((b) => b.events.some(match)),
    get idle() {
      return pending.length === 0 && unacked.length === 0
    },
    get pendingCount() {
      return pending.length
    },
    get nextSeq() {
      return nextSeq
    },
  }
}
