/**
 * @module What the normalizer (runner/replay/normalize.ts) cannot make stable between two
 * recordings because it is about order, not values: Codex start-up notifications that race the
 * `thread/start` answer. Values (ids, times, durations, the random temp root, pids, tool-output
 * headers) are the normalizer's, applied when the fixture is written.
 */
import type { TranscriptEntry } from '../runner/replay/index.ts'

/** The fixed root the temp directory of a recording is renamed to (normalizer option `renames`). */
export const FIXED_ROOT = '/tmp/loom-fixture'

/** Codex start-up notifications that arrive at any point around `thread/start`. */
const FLOATING = ['configWarning', 'remoteControl/status/changed']

const method = (e: TranscriptEntry): unknown => (e.type === 'runtime_exit' ? undefined : (e.frame as { method?: unknown } | null)?.method)

/** Returns the entries with the racing start-up notifications in one fixed place, renumbered. */
export function scrubEntries(entries: TranscriptEntry[]): TranscriptEntry[] {
  let out = entries
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
    out = [...out]
    const [moved] = out.splice(started, 1)
    const answer = out.findIndex((e) => e.type === 'emit_inbound' && (e.frame as { result?: { thread?: unknown } }).result?.thread !== undefined)
    out.splice(answer >= 0 ? answer + 1 : started, 0, moved!)
  }
  return quietCancelledExit(restoredUsageAfterResume(usageBeforeOtherThreads(spawnBeforeChildStatus(settleAfterResolved(settingsAfterAnswer(out)))))).map((e, i) => ({ ...e, line: i + 2 }))
}

/** The usage Codex restores on `thread/resume` arrives before or after our next `turn/start`: it goes right after the resume answer. */
const restoredUsageAfterResume = (entries: TranscriptEntry[]): TranscriptEntry[] => {
  const out = [...entries]
  out.forEach((resume) => {
    if (resume.type !== 'expect_outbound') return
    const frame = resume.frame as { id?: unknown; method?: unknown } | null
    if (frame?.method !== 'thread/resume') return
    const answer = out.findIndex((e) => isAnswer(e) && e.type === 'emit_inbound' && (e.frame as { id?: unknown }).id === frame.id)
    if (answer < 0) return
    const started = out.findIndex((e, i) => i > answer && method(e) === 'turn/started')
    const usage = out.findIndex((e, i) => i > answer && (started < 0 || i < started) && method(e) === 'thread/tokenUsage/updated')
    if (usage > answer + 1) out.splice(answer + 1, 0, ...out.splice(usage, 1))
  })
  return out
}

const params = (e: TranscriptEntry): { threadId?: unknown; item?: { type?: unknown } } =>
  (e.type === 'runtime_exit' ? {} : ((e.frame as { params?: object } | null)?.params ?? {})) as { threadId?: unknown; item?: { type?: unknown } }

/** A collab agent's thread reports its status while its spawn call completes; the spawn's `item/completed` goes first. */
const spawnBeforeChildStatus = (entries: TranscriptEntry[]): TranscriptEntry[] => {
  const out = [...entries]
  for (let i = 0; i + 1 < out.length; i++) {
    const [a, b] = [out[i]!, out[i + 1]!]
    const spawnDone = method(b) === 'item/completed' && params(b).item?.type === 'collabAgentToolCall'
    if (method(a) === 'thread/status/changed' && spawnDone && params(a).threadId !== params(b).threadId) [out[i], out[i + 1]] = [b, a]
  }
  return out
}

/**
 * A thread's usage report (`thread/tokenUsage/updated`, with the `account/rateLimits/updated`
 * right after it) races frames of other threads (a collab agent's): it moves back before them.
 */
const usageBeforeOtherThreads = (entries: TranscriptEntry[]): TranscriptEntry[] => {
  const out = [...entries]
  for (let i = 0; i < out.length; i++) {
    if (method(out[i]!) !== 'thread/tokenUsage/updated') continue
    const own = params(out[i]!).threadId
    const size = method(out[i + 1] ?? out[i]!) === 'account/rateLimits/updated' ? 2 : 1
    let at = i
    while (at > 0 && out[at - 1]!.type === 'emit_inbound' && params(out[at - 1]!).threadId !== undefined && params(out[at - 1]!).threadId !== own) at--
    if (at < i) out.splice(at, 0, ...out.splice(i, size))
    i += size - 1
  }
  return out
}

/** Claude Code, cancelled by us, sometimes exits with code 1 and sometimes not: a cancelled exit keeps no error. */
const quietCancelledExit = (entries: TranscriptEntry[]): TranscriptEntry[] =>
  entries.map((e) => (e.type === 'runtime_exit' && e.status === 'cancelled' && e.error !== undefined ? { type: e.type, status: e.status, line: e.line } : e))

const isAnswer = (e: TranscriptEntry): boolean => e.type === 'emit_inbound' && method(e) === undefined && (e.frame as { result?: unknown }).result !== undefined

/** `thread/settings/updated` races the answer to the `turn/start` that changed them; the answer goes first. */
const settingsAfterAnswer = (entries: TranscriptEntry[]): TranscriptEntry[] => {
  const out = [...entries]
  for (let i = 0; i + 1 < out.length; i++) {
    if (out[i]!.type === 'emit_inbound' && method(out[i]!) === 'thread/settings/updated' && isAnswer(out[i + 1]!)) [out[i], out[i + 1]] = [out[i + 1]!, out[i]!]
  }
  return out
}

/**
 * After an answered server request Codex sends `thread/status/changed` (no longer waiting) and
 * the command's `item/completed` in either order; the status change goes first.
 */
const settleAfterResolved = (entries: TranscriptEntry[]): TranscriptEntry[] => {
  const out = [...entries]
  for (let i = 0; i + 2 < out.length; i++) {
    if (method(out[i]!) !== 'serverRequest/resolved') continue
    const [a, b] = [out[i + 1]!, out[i + 2]!]
    if (a.type === 'emit_inbound' && b.type === 'emit_inbound' && method(a) === 'item/completed' && method(b) === 'thread/status/changed') {
      out[i + 1] = b
      out[i + 2] = a
    }
  }
  return out
}
