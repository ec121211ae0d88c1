/**
 * @module A small line diff for frame mismatches: both frames pretty-printed with sorted keys,
 * then a unified diff (`-` expected, `+` actual, two lines of context), and a side-by-side view.
 */
import { stableStringify } from './normalize.ts'

type Op = { op: ' ' | '-' | '+'; text: string }

const MAX_CELLS = 4_000_000

/** Longest-common-subsequence line diff; falls back to "all removed, all added" for huge inputs. */
const diffLines = (a: string[], b: string[]): Op[] => {
  if (a.length * b.length > MAX_CELLS) return [...a.map((text) => ({ op: '-' as const, text })), ...b.map((text) => ({ op: '+' as const, text }))]
  const n = a.length
  const m = b.length
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1))
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
  }
  const ops: Op[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) ops.push({ op: ' ', text: a[i++]! }), j++
    else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) ops.push({ op: '-', text: a[i++]! })
    else ops.push({ op: '+', text: b[j++]! })
  }
  while (i < n) ops.push({ op: '-', text: a[i++]! })
  while (j < m) ops.push({ op: '+', text: b[j++]! })
  return ops
}

/** Unified diff of two frames (key-sorted, pretty-printed); empty when they are equal. */
export const unifiedFrameDiff = (expected: unknown, actual: unknown, context = 2): string => {
  const ops = diffLines(stableStringify(expected, 2).split('\n'), stableStringify(actual, 2).split('\n'))
  if (ops.every((o) => o.op === ' ')) return ''
  const keep = ops.map(() => false)
  ops.forEach((o, i) => {
    if (o.op !== ' ') for (let k = Math.max(0, i - context); k <= Math.min(ops.length - 1, i + context); k++) keep[k] = true
  })
  const out: string[] = []
  let skipped = false
  ops.forEach((o, i) => {
    if (keep[i]) {
      out.push(`${o.op} ${o.text}`)
      skipped = false
    } else if (!skipped) {
      out.push('  …')
      skipped = true
    }
  })
  return out.join('\n')
}

/** Side-by-side view of two frames, `expected | actual`, with `!` marking lines that differ. */
export const sideBySideFrames = (expected: unknown, actual: unknown, width = 60): string => {
  const ops = diffLines(stableStringify(expected, 2).split('\n'), stableStringify(actual, 2).split('\n'))
  const cell = (s: string) => (s.length > width ? `${s.slice(0, width - 1)}…` : s.padEnd(width))
  const rows = [`${cell('expected')}   actual`]
  for (const o of ops) {
    if (o.op === ' ') rows.push(`${cell(o.text)}   ${o.text.slice(0, width)}`)
    else if (o.op === '-') rows.push(`${cell(o.text)} ! `)
    else rows.push(`${cell('')} ! ${o.text.slice(0, width)}`)
  }
  return rows.join('\n')
}
