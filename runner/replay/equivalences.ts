/**
 * @module The equivalence table for compatible mode: frame sequences where the provider
 * protocol changed between the recording and the live client. Each row is data (what the
 * recording sent, what the live client sends instead, why) plus an `apply` hook that checks
 * the live frame against the recording and rewrites the upcoming recorded entries into what
 * the live protocol produces.
 *
 * | name | protocol | recorded | live |
 * |---|---|---|---|
 * | rollback-to-revert | codex.app-server | `thread/rollback {threadId, numTurns}` → response `{thread}` | `thread/revert {threadId, beforeTurnId}` → `thread/reverted {threadId}` + response `{thread (turns: []), turnsBackwardsCursor, itemsBackwardsCursor}` |
 * | fork-to-resume-fork | claude-agent-sdk.query | `session.fork {sessionId, options.upToMessageId}` → `session.forked {sessionId}` → `query.open {options.resume: forked}` | `query.open {options: {resume: sessionId, forkSession: true, resumeSessionAt?: upToMessageId}}` |
 */
import type { FixtureProtocol, TranscriptEntry } from './transcript.ts'

export type EquivalenceContext = {
  /** The live frame, as the client sent it. */
  actual: unknown
  /** The entries from the cursor on; `upcoming[0]` is the recorded `expect_outbound`. */
  upcoming: readonly TranscriptEntry[]
  /** Entries already consumed, oldest first. */
  history: readonly TranscriptEntry[]
}

export type EquivalenceResult = {
  /** How many of `upcoming` (the matched `expect_outbound` included) the live frame stands for. */
  consume: number
  /** Entries fed in their place, in order, before the rest of the transcript. */
  replace: TranscriptEntry[]
  /** Codex: the recorded request id whose response answers the live request (remapped to the live id). */
  recordedId?: string | number
}

export type Equivalence = {
  name: string
  protocol: FixtureProtocol
  /** The method (Codex) or frame type (Claude) in the recording. */
  recorded: string
  /** The method or frame type the live client sends instead. */
  live: string
  description: string
  /** Returns the rewrite, or a string saying why the live frame is not equivalent. */
  apply: (ctx: EquivalenceContext) => EquivalenceResult | string
}

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {})
const params = (frame: unknown): Obj => obj(obj(frame).params)

/** Turn ids of one thread still in its history at the end of `history` (started turns, minus rolled back ones). */
export const codexTurnIds = (history: readonly TranscriptEntry[], threadId: string): string[] => {
  const turns: string[] = []
  for (const entry of history) {
    if (entry.type === 'runtime_exit') continue
    const frame = obj(entry.frame)
    const p = params(frame)
    if (entry.type === 'emit_inbound' && frame.method === 'turn/started' && p.threadId === threadId) {
      const id = obj(p.turn).id
      if (typeof id === 'string' && !turns.includes(id)) turns.push(id)
    }
    if (entry.type === 'expect_outbound' && frame.method === 'thread/rollback' && p.threadId === threadId && typeof p.numTurns === 'number') {
      turns.splice(Math.max(0, turns.length - p.numTurns))
    }
    if (entry.type === 'expect_outbound' && frame.method === 'thread/revert' && p.threadId === threadId) {
      const at = turns.indexOf(String(p.beforeTurnId))
      if (at >= 0) turns.splice(at)
    }
  }
  return turns
}

const rollbackToRevert: Equivalence = {
  name: 'rollback-to-revert',
  protocol: 'codex.app-server',
  recorded: 'thread/rollback',
  live: 'thread/revert',
  description:
    'Codex 0.169 removed thread/rollback {numTurns}; thread/revert {beforeTurnId} (the first turn dropped) replaces it, ' +
    'emits thread/reverted {threadId}, and answers with the thread snapshot (turns empty) and two history cursors.',
  apply: ({ actual, upcoming, history }) => {
    const expected = obj(upcoming[0]?.type === 'expect_outbound' ? upcoming[0].frame : undefined)
    const rec = params(expected)
    const live = params(actual)
    if (live.threadId !== rec.threadId) return `thread/revert targets thread ${String(live.threadId)}, the recording rolled back ${String(rec.threadId)}`
    const numTurns = typeof rec.numTurns === 'number' ? rec.numTurns : NaN
    const turns = codexTurnIds(history, String(rec.threadId))
    const before = turns[turns.length - numTurns]
    if (before === undefined) return `cannot find the turn ${numTurns} back in thread ${String(rec.threadId)} (turns seen: ${turns.length})`
    if (live.beforeTurnId !== before) return `thread/revert beforeTurnId ${String(live.beforeTurnId)}, but rolling back ${numTurns} turn(s) drops from ${before}`
    const end = upcoming.findIndex((e, i) => i > 0 && e.type !== 'emit_inbound')
    const window = upcoming.slice(1, end < 0 ? undefined : end)
    const at = window.findIndex((e) => e.type === 'emit_inbound' && obj(e.frame).id === expected.id && obj(e.frame).method === undefined)
    if (at < 0) return `no recorded response to thread/rollback #${String(expected.id)} before the next outbound frame`
    const response = window[at]!
    const recordedResult = obj(obj(response.type === 'emit_inbound' ? response.frame : undefined).result)
    const replace: TranscriptEntry[] = [
      ...window.slice(0, at),
      { type: 'emit_inbound', label: 'thread/reverted', line: response.line, frame: { method: 'thread/reverted', params: { threadId: rec.threadId } } },
      {
        type: 'emit_inbound',
        label: 'thread/revert',
        line: response.line,
        frame: {
          id: expected.id,
          result: { thread: { ...obj(recordedResult.thread), turns: [] }, turnsBackwardsCursor: null, itemsBackwardsCursor: null },
        },
      },
    ]
    return { consume: at + 2, replace, recordedId: expected.id as string | number }
  },
}

const forkToResumeFork: Equivalence = {
  name: 'fork-to-resume-fork',
  protocol: 'claude-agent-sdk.query',
  recorded: 'session.fork',
  live: 'query.open',
  description:
    'The recording forked with forkSession() (session.fork, session.forked, then query.open resuming the fork); ' +
    'the live client opens one query with {resume: source, forkSession: true, resumeSessionAt}. The forked id then arrives in the SDK messages.',
  apply: ({ actual, upcoming }) => {
    const fork = obj(upcoming[0]?.type === 'expect_outbound' ? upcoming[0].frame : undefined)
    const options = obj(obj(actual).options)
    if (options.forkSession !== true) return 'query.open without forkSession: true'
    if (options.resume !== fork.sessionId) return `query.open resumes ${String(options.resume)}, the recording forked ${String(fork.sessionId)}`
    const upTo = obj(fork.options).upToMessageId
    if (upTo !== undefined && options.resumeSessionAt !== upTo) return `resumeSessionAt ${String(options.resumeSessionAt)}, the recording forked up to ${String(upTo)}`
    const forked = upcoming[1]
    if (forked?.type !== 'emit_inbound' || obj(forked.frame).type !== 'session.forked') return 'session.fork is not followed by session.forked'
    const open = upcoming[2]
    const openFrame = obj(open?.type === 'expect_outbound' ? open.frame : undefined)
    if (openFrame.type !== 'query.open' || obj(openFrame.options).resume !== obj(forked.frame).sessionId) return 'session.forked is not followed by query.open resuming the fork'
    return { consume: 3, replace: [] }
  },
}

/** The built-in table. Pass your own list to the cursor to extend or narrow it. */
export const EQUIVALENCES: readonly Equivalence[] = [rollbackToRevert, forkToResumeFork]
