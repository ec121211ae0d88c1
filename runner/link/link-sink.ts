/** @module Where a thread's session host reports to: sequenced events and coalesced text. */
import type { RuntimeEvent } from '../../src/contracts/index.ts'

export type LinkSink = {
  /** Queues a canonical event; it leaves in the next batch. */
  emit: (event: RuntimeEvent) => void
  /** Streams text of an item (`itemId` as the thread names it: `deriveId.item`). */
  delta: (itemId: string, text: string) => void
  /** Sends an item's waiting text before the event that finishes it. */
  endItem: (itemId: string) => void
  /** Sends all waiting text. */
  flushDeltas: () => void
}
