/**
 * @module A unified diff cut into parts the thread object can store: each part stays well
 * under Cloudflare's 2 MB row limit (UTF-8 takes up to 4 bytes a character, JSON escaping
 * more), and a diff past the cap is cut and marked `truncated`.
 */
import { MAX_DIFF_PART_CHARS, MAX_DIFF_PARTS } from '../../src/contracts/index.ts'

export type DiffParts = { parts: string[]; truncated: boolean }

export const splitDiff = (text: string, partChars = MAX_DIFF_PART_CHARS, maxParts = MAX_DIFF_PARTS): DiffParts => {
  const parts: string[] = []
  for (let at = 0; at < text.length && parts.length < maxParts; at += partChars) {
    let end = Math.min(at + partChars, text.length)
    // Never split a surrogate pair between two parts.
    if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1] ?? '')) end -= 1
    parts.push(text.slice(at, end))
    at = end - partChars
  }
  const kept = parts.reduce((n, p) => n + p.length, 0)
  return { parts: parts.length > 0 ? parts : [''], truncated: kept < text.length }
}
