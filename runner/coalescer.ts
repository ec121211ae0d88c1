/**
 * @module Coalescing streaming text deltas before they go on the runner link. Providers emit
 * a delta every few characters; the link carries one `{ itemId, offset, text }` frame per item
 * at most every `intervalMs` (default 50 ms), or as soon as an item has `maxBytes` (default
 * 4 KiB, UTF-8) waiting. `offset` counts UTF-16 code units, like the thread object's buffer.
 */

export type TextDelta = { itemId: string; offset: number; text: string }

export type CoalescerOptions = {
  /** Called with each coalesced delta, in order per item. */
  onFlush: (delta: TextDelta) => void
  intervalMs?: number
  maxBytes?: number
  /** Longest `text` of one delta (the link's frame limit is 65,536). */
  maxChars?: number
}

export type DeltaCoalescer = {
  /** Adds text to an item; flushes that item at once when it reaches `maxBytes`. */
  push: (itemId: string, text: string) => void
  /** Sends what waits for one item (call before the item's own boundary event). */
  flushItem: (itemId: string) => void
  /** Sends what waits for every item. */
  flush: () => void
  /** Flushes an item and forgets it: its next text starts again at offset 0. */
  end: (itemId: string) => void
  /** Flushes everything and stops the timer. */
  close: () => void
}

type Pending = { offset: number; parts: string[]; bytes: number }

/** UTF-8 length without encoding (a surrogate pair counts 4, each half 2). */
export const utf8Bytes = (text: string): number => {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3
  }
  return bytes
}

/** Splits text into pieces of at most `max` code units without cutting a surrogate pair. */
const pieces = (text: string, max: number): string[] => {
  if (text.length <= max) return [text]
  const out: string[] = []
  let start = 0
  while (start < text.length) {
    let end = Math.min(start + max, text.length)
    const last = text.charCodeAt(end - 1)
    if (end < text.length && end - start > 1 && last >= 0xd800 && last <= 0xdbff) end--
    out.push(text.slice(start, end))
    start = end
  }
  return out
}

export const createDeltaCoalescer = (options: CoalescerOptions): DeltaCoalescer => {
  const intervalMs = options.intervalMs ?? 50
  const maxBytes = options.maxBytes ?? 4096
  const maxChars = options.maxChars ?? 65_536
  /** Where the next text of each item starts. */
  const sent = new Map<string, number>()
  const pending = new Map<string, Pending>()
  let timer: ReturnType<typeof setTimeout> | null = null

  const flushItem = (itemId: string): void => {
    const p = pending.get(itemId)
    if (!p) return
    pending.delete(itemId)
    let offset = p.offset
    for (const text of pieces(p.parts.join(''), maxChars)) {
      options.onFlush({ itemId, offset, text })
      offset += text.length
    }
    if (pending.size === 0 && timer !== null) {
      clearTimeout(timer)
      timer = null
    }
  }

  const flush = (): void => {
    for (const itemId of [...pending.keys()]) flushItem(itemId)
  }

  const push = (itemId: string, text: string): void => {
    if (text === '') return
    const offset = sent.get(itemId) ?? 0
    sent.set(itemId, offset + text.length)
    let p = pending.get(itemId)
    if (!p) {
      p = { offset, parts: [], bytes: 0 }
      pending.set(itemId, p)
    }
    p.parts.push(text)
    p.bytes += utf8Bytes(text)
    if (p.bytes >= maxBytes) flushItem(itemId)
    else if (timer === null) {
      timer = setTimeout(() => {
        timer = null
        flush()
      }, intervalMs)
    }
  }

  return {
    push,
    flushItem,
    flush,
    end: (itemId) => {
      flushItem(itemId)
      sent.delete(itemId)
    },
    close: () => {
      flush()
      if (timer !== null) clearTimeout(timer)
      timer = null
    },
  }
}
