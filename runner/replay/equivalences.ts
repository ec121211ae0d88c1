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
 * | fork-rollback-to-fork-last-turn | codex.app-server | `thread/fork {threadId}` → `{thread}`, then `thread/rollback {threadId: fork, numTurns}` → `{thread}` | `thread/fork {threadId, lastTurnId}` → `{thread}` (turns through lastTurnId) |
 * | merge-back-turn-to-handoff-input | codex.app-server | `turn/start {handoff text}` and its turn, then `turn/start {user text}` | one `turn/start {handoff text + user text}` |
 * | unsubscribe-unrecorded (HOUSEKEEPING_FRAMES) | codex.app-server | nothing (or a `success` runtime_exit) | `thread/unsubscribe` → `{status: "unsubscribed"}`, then the recording goes on |
 * | resume-recorded-thread (HOUSEKEEPING_FRAMES) | codex.app-server | nothing: the thread stayed loaded | `thread/resume {threadId}` → the thread as last recorded (no turns), then the recording goes on |
 * | merge-back-prompt-to-handoff-input | claude-agent-sdk.query | `prompt.offer {handoff text}` and its turn, then `prompt.offer {user text}` | one `prompt.offer {handoff text + user text}` |
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

const responseIn = (entries: readonly TranscriptEntry[], id: unknown): number =>
  entries.findIndex((e) => e.type === 'emit_inbound' && obj(e.frame).id === id && obj(e.frame).method === undefined)

const forkRollbackToForkLastTurn: Equivalence = {
  name: 'fork-rollback-to-fork-last-turn',
  protocol: 'codex.app-server',
  recorded: 'thread/fork',
  live: 'thread/fork',
  description:
    'The recording forked the whole thread, then rolled the fork back (thread/fork, then thread/rollback {numTurns} on the new thread); ' +
    'the live client forks once with lastTurnId, the last turn the fork keeps. Applies only when the live fork carries lastTurnId; ' +
    "the fork's response is fed with the turns the rollback left.",
  apply: ({ actual, upcoming }) => {
    const live = params(actual)
    if (typeof live.lastTurnId !== 'string') return 'the live thread/fork has no lastTurnId'
    const expected = obj(upcoming[0]?.type === 'expect_outbound' ? upcoming[0].frame : undefined)
    if (params(expected).threadId !== live.threadId) return `thread/fork of ${String(live.threadId)}, the recording forked ${String(params(expected).threadId)}`
    const next = upcoming.findIndex((e, i) => i > 0 && e.type !== 'emit_inbound')
    const forkEnd = next < 0 ? upcoming.length : next
    const forkAt = responseIn(upcoming.slice(0, forkEnd), expected.id)
    if (forkAt < 0) return `no recorded response to thread/fork #${String(expected.id)} before the next outbound frame`
    const forkResponse = upcoming[forkAt]!
    const forkThread = obj(obj(obj(forkResponse.type === 'emit_inbound' ? forkResponse.frame : undefined).result).thread)
    const rollback = obj(upcoming[forkEnd]?.type === 'expect_outbound' ? upcoming[forkEnd].frame : undefined)
    if (rollback.method !== 'thread/rollback' || params(rollback).threadId !== forkThread.id) return 'the recorded fork is not followed by a thread/rollback of the new thread'
    const numTurns = params(rollback).numTurns
    const turns = (Array.isArray(forkThread.turns) ? forkThread.turns : []).map((t) => obj(t))
    if (typeof numTurns !== 'number' || numTurns < 1 || numTurns >= turns.length) return `the recorded rollback of ${String(numTurns)} turn(s) does not leave a turn of the ${turns.length} forked`
    const kept = turns.slice(0, turns.length - numTurns)
    if (kept.at(-1)?.id !== live.lastTurnId) return `lastTurnId ${String(live.lastTurnId)}, but rolling back ${numTurns} turn(s) keeps through ${String(kept.at(-1)?.id)}`
    const after = upcoming.slice(forkEnd + 1)
    const afterEnd = after.findIndex((e) => e.type !== 'emit_inbound')
    const window = after.slice(0, afterEnd < 0 ? undefined : afterEnd)
    const rollbackAt = responseIn(window, rollback.id)
    if (rollbackAt < 0) return `no recorded response to thread/rollback #${String(rollback.id)} before the next outbound frame`
    const forkResult = obj(obj(forkResponse.type === 'emit_inbound' ? forkResponse.frame : undefined).result)
    const forked: TranscriptEntry = { type: 'emit_inbound', line: forkResponse.line, frame: { id: expected.id, result: { ...forkResult, thread: { ...forkThread, turns: kept } } } }
    const replace = [...upcoming.slice(1, forkEnd).map((e, i) => (i + 1 === forkAt ? forked : e)), ...window.slice(0, rollbackAt), ...window.slice(rollbackAt + 1, window.length)]
    return { consume: forkEnd + 1 + window.length, replace, recordedId: expected.id as string | number }
  },
}

const inputText = (frame: unknown): string =>
  (Array.isArray(params(frame).input) ? (params(frame).input as unknown[]) : [])
    .map(obj)
    .flatMap((part) => (typeof part.text === 'string' ? [part.text] : []))
    .join('\n')

/** How the recording's client (t3code) began a merge-back turn. */
export const RECORDED_MERGE_BACK = 'Context handoff (merge_back'

/**
 * The recorded user turn after a merge-back handoff turn, skipping further handoff turns in a
 * row (several forks merged back all go into the one live turn): its index in `upcoming` and
 * its frame. `isTurn` tells a turn frame of the protocol, `textOf` its text.
 */
const userTurnAfterHandoffs = (upcoming: readonly TranscriptEntry[], isTurn: (frame: unknown) => boolean, textOf: (frame: unknown) => string): { next: number; userFrame: unknown } => {
  let next = 0
  let userFrame: unknown
  do {
    next = upcoming.findIndex((e, i) => i > next && e.type !== 'emit_inbound')
    const entry = upcoming[next]
    userFrame = entry?.type === 'expect_outbound' ? entry.frame : undefined
  } while (next > 0 && isTurn(userFrame) && textOf(userFrame).startsWith(RECORDED_MERGE_BACK))
  return { next, userFrame }
}

/** Whether the live text is the recorded user text with something (the handoff) in front of it. */
const carriesHandoffBefore = (live: string, recorded: string): boolean => {
  const [l, r] = [live.trimEnd(), recorded.trimEnd()]
  return l.endsWith(r) && l.length > r.length
}

const mergeBackTurnToHandoffInput: Equivalence = {
  name: 'merge-back-turn-to-handoff-input',
  protocol: 'codex.app-server',
  recorded: 'turn/start',
  live: 'turn/start',
  description:
    'The recording delivered a merge-back as a turn of its own (turn/start with only the handoff text, answered, then the user turn/start; ' +
    'one such turn per fork merged back); ' +
    "Loom puts the handoff in front of the user's message in one turn/start. Applies when the recorded turn/start is such a handoff and the " +
    "live input holds more than the next recorded user turn's text, which it ends with; the handoff turn's own stream is dropped.",
  apply: ({ actual, upcoming }) => {
    const handoff = upcoming[0]?.type === 'expect_outbound' ? upcoming[0].frame : undefined
    if (!inputText(handoff).startsWith(RECORDED_MERGE_BACK)) return 'the recorded turn/start is not a merge-back handoff turn'
    const { next, userFrame } = userTurnAfterHandoffs(upcoming, (f) => obj(f).method === 'turn/start', inputText)
    if (obj(userFrame).method !== 'turn/start' || params(userFrame).threadId !== params(handoff).threadId) return 'the handoff turn is not followed by a user turn/start on the same thread'
    if (!carriesHandoffBefore(inputText(actual), inputText(userFrame))) return "the live turn/start does not carry a handoff in front of the recorded user turn's text"
    return { consume: next + 1, replace: [], recordedId: obj(userFrame).id as string | number }
  },
}

/** The text of a Claude `prompt.offer` (content as a string or as text blocks). */
const promptText = (frame: unknown): string => {
  const content = obj(obj(obj(frame).message).message).content
  if (typeof content === 'string') return content
  return (Array.isArray(content) ? content : []).map(obj).flatMap((b) => (typeof b.text === 'string' ? [b.text] : [])).join('\n')
}

const mergeBackPromptToHandoffInput: Equivalence = {
  name: 'merge-back-prompt-to-handoff-input',
  protocol: 'claude-agent-sdk.query',
  recorded: 'prompt.offer',
  live: 'prompt.offer',
  description:
    'The recording delivered a merge-back as a turn of its own (prompt.offer with only the handoff text, answered, then the user prompt.offer); ' +
    "Loom puts the handoff in front of the user's message in one prompt.offer. Applies when the recorded prompt is such a handoff and the " +
    "live prompt holds more than the next recorded prompt's text, which it ends with; the handoff turn's own messages are dropped.",
  apply: ({ actual, upcoming }) => {
    const handoff = upcoming[0]?.type === 'expect_outbound' ? upcoming[0].frame : undefined
    if (!promptText(handoff).startsWith(RECORDED_MERGE_BACK)) return 'the recorded prompt is not a merge-back handoff'
    const { next, userFrame } = userTurnAfterHandoffs(upcoming, (f) => obj(f).type === 'prompt.offer', promptText)
    if (obj(userFrame).type !== 'prompt.offer') return 'the handoff turn is not followed by a user prompt.offer'
    if (!carriesHandoffBefore(promptText(actual), promptText(userFrame))) return "the live prompt.offer does not carry a handoff in front of the recorded user prompt's text"
    return { consume: next + 1, replace: [] }
  },
}

/** The built-in table. Pass your own list to the cursor to extend or narrow it. */
export const EQUIVALENCES: readonly Equivalence[] = [rollbackToRevert, forkToResumeFork, forkRollbackToForkLastTurn, mergeBackTurnToHandoffInput, mergeBackPromptToHandoffInput]

/**
 * Housekeeping frames a live client sends that change nothing in the recorded conversation
 * (releasing a thread it is done with, reloading one the recording kept loaded): in compatible
 * mode, one the recording does not have where it comes (before the next recorded outbound frame,
 * or before a `success` runtime_exit) is answered by `respond` and the recording goes on
 * unchanged. `respond` returns the result, or a string saying why this frame is not housekeeping.
 */
export type HousekeepingFrame = {
  name: string
  protocol: FixtureProtocol
  method: string
  description: string
  respond: (live: unknown, history: readonly TranscriptEntry[]) => unknown
}

/** The thread `threadId` as the recording last answered it (thread/start, thread/fork or thread/resume), turns left out. */
const recordedThread = (history: readonly TranscriptEntry[], threadId: unknown): Obj | undefined => {
  let found: Obj | undefined
  for (const e of history) {
    if (e.type !== 'emit_inbound') continue
    const thread = obj(obj(obj(e.frame).result).thread)
    if (thread.id === threadId) found = { ...thread, turns: [] }
  }
  return found
}

export const HOUSEKEEPING_FRAMES: readonly HousekeepingFrame[] = [
  {
    name: 'unsubscribe-unrecorded',
    protocol: 'codex.app-server',
    method: 'thread/unsubscribe',
    description: 'Loom unsubscribes a thread it is done with (a session closed, the app-server about to close); the recording never did.',
    respond: () => ({ status: 'unsubscribed' }),
  },
  {
    name: 'resume-recorded-thread',
    protocol: 'codex.app-server',
    method: 'thread/resume',
    description:
      'Loom reloads a thread in the same app-server (after it unsubscribed it) where the recording kept it loaded: answered with the thread as the recording last answered it, turns excluded.',
    respond: (live, history) => {
      const thread = recordedThread(history, params(live).threadId)
      if (!thread) return `thread ${String(params(live).threadId)} was never started, forked or resumed in the recording`
      const unsubscribed = history.some((e) => e.type === 'expect_outbound' && obj(e.frame).method === 'thread/unsubscribe' && params(e.frame).threadId === thread.id)
      if (unsubscribed) return `the recording unsubscribed thread ${String(thread.id)}`
      return { thread, turnsBackwardsCursor: null, itemsBackwardsCursor: null }
    },
  },
]
