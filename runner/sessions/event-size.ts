/**
 * @module A byte bound on one runtime event. The contract bounds each text field in characters
 * (1,000,000), but the thread stores an event's entities as JSON rows, SQLite caps a row at
 * 2 MB, and one character may take three bytes of UTF-8 (more once JSON-escaped). An event the
 * thread could never commit would be refused and resent forever, so the host cuts the longest
 * strings of an oversized event, keeping their head, and says so in the text.
 */
import type { RuntimeEvent } from '../../src/contracts/index.ts'

/** Encoded JSON bytes one event may take: half a row, room for the envelope and a second copy. */
export const MAX_EVENT_BYTES = 1_000_000

const bytesOf = (value: unknown): number => Buffer.byteLength(JSON.stringify(value))

type Leaf = { holder: Record<string, unknown> | unknown[]; key: string | number; text: string }

const leaves = (value: unknown, found: Leaf[] = []): Leaf[] => {
  if (Array.isArray(value)) value.forEach((v, i) => (typeof v === 'string' ? found.push({ holder: value, key: i, text: v }) : leaves(v, found)))
  else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) typeof v === 'string' ? found.push({ holder: value as Record<string, unknown>, key, text: v }) : leaves(v, found)
  }
  return found
}

/** Characters in the event's strings: with JSON's worst escape (6 per character) an upper bound of its bytes. */
const stringChars = (value: unknown): number => {
  if (typeof value === 'string') return value.length
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + stringChars(v), 0)
  if (typeof value === 'object' && value !== null) return Object.values(value).reduce((n: number, v) => n + stringChars(v), 0)
  return 0
}

/** Room for keys, numbers and punctuation beside the strings, far above what any event carries. */
const STRUCTURE_BYTES = 64 * 1024

/** The event itself when it fits; otherwise a copy whose longest strings are cut until it does. */
export const boundEventSize = (event: RuntimeEvent, max = MAX_EVENT_BYTES): { event: RuntimeEvent; cut: number } => {
  // Every event passes here: only one that could be too large is serialized to measure it.
  if (stringChars(event) * 6 + STRUCTURE_BYTES <= max) return { event, cut: 0 }
  let size = bytesOf(event)
  if (size <= max) return { event, cut: 0 }
  const copy = structuredClone(event)
  let cut = 0
  while (size > max) {
    const longest = leaves(copy).sort((a, b) => b.text.length - a.text.length)[0]
    if (!longest || longest.text.length < 64) break
    const keep = Math.max(0, Math.floor(longest.text.length * (max / size) * 0.9) - 80)
    const marker = `… [cut by Loom: ${longest.text.length - keep} more characters did not fit one event]`
    ;(longest.holder as Record<string | number, unknown>)[longest.key] = `${longest.text.slice(0, keep)}${marker}`
    cut++
    size = bytesOf(copy)
  }
  return { event: copy, cut }
}
