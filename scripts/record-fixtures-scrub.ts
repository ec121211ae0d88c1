/**
 * @module What the shared normalizer (runner/replay/normalize.ts) does not yet make stable
 * between two recordings, fixed before it runs: the random temp root (Claude's memory path
 * derives from it), wall-clock numbers in inbound frames (Claude `*_ms` stats, Codex
 * `recencyAt`), and the order of Codex start-up notifications that race the `thread/start`
 * answer. Outbound frames keep their content (strict replay compares them).
 */
import type { TranscriptEntry } from '../runner/replay/index.ts'

/** The fixed root the temp directory of a recording is renamed to. */
export const FIXED_ROOT = '/tmp/loom-fixture'

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const VOLATILE_NUMBER = /(_ms|Ms)$|^recencyAt$/
/** Codex start-up notifications that arrive at any point around `thread/start`. */
const FLOATING = ['configWarning', 'remoteControl/status/changed']

const method = (e: TranscriptEntry): unknown => (e.type === 'runtime_exit' ? undefined : (e.frame as { method?: unknown } | null)?.method)

const numbers = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(numbers)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'number' && VOLATILE_NUMBER.test(k) ? '<duration>' : numbers(v)]))
}

/** Returns stable entries: `root` (the recording's temp dir) renamed, volatile numbers and start-up order fixed. */
export function scrubEntries(entries: TranscriptEntry[], root: string): TranscriptEntry[] {
  const paths = [[new RegExp(escape(root), 'g'), FIXED_ROOT], [new RegExp(escape(root.replace(/\//g, '-')), 'g'), FIXED_ROOT.replace(/\//g, '-')]] as const
  const rename = (frame: unknown): unknown => JSON.parse(paths.reduce((text, [from, to]) => text.replace(from, to), JSON.stringify(frame)))
  let out = entries.map((e): TranscriptEntry => {
    if (e.type === 'runtime_exit') return e
    const frame = rename(e.frame)
    return { ...e, frame: e.type === 'emit_inbound' ? numbers(frame) : frame }
  })
  const floating = out.filter((e) => e.type === 'emit_inbound' && FLOATING.includes(method(e) as string))
  const start = out.findIndex((e) => e.type === 'expect_outbound' && method(e) === 'thread/start')
  if (start >= 0 && floating.length > 0) {
    floating.sort((a, b) => FLOATING.indexOf(method(a) as string) - FLOATING.indexOf(method(b) as string))
    const rest = out.filter((e) => !floating.includes(e))
    const at = rest.findIndex((e) => e.type === 'expect_outbound' && method(e) === 'thread/start') + 1
    out = [...rest.slice(0, at), ...floating, ...rest.slice(at)]
  }
  // `thread/started` right after the `thread/start` answer (the app-server sends it before or after, even after our `turn/start`).
  const started = out.findIndex((e) => method(e) === 'thread/started')
  if (started >= 0) {
    const [moved] = out.splice(started, 1)
    const answer = out.findIndex((e) => e.type === 'emit_inbound' && (e.frame as { result?: { thread?: unknown } }).result?.thread !== undefined)
    out.splice(answer >= 0 ? answer + 1 : started, 0, moved!)
  }
  return out.map((e, i) => ({ ...e, line: i + 2 }))
}
