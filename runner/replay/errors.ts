/**
 * @module Typed replay errors. Every failure of a replay is a `ReplayError` with a `kind`, so a
 * transport can rethrow it into the client (as a broken pipe, a rejected query) and a test can
 * assert on the kind.
 */
import type { TranscriptEntry } from './transcript.ts'

export type ReplayErrorKind = 'Parse' | 'Exhausted' | 'UnexpectedOutbound' | 'FrameMismatch' | 'RuntimeExit' | 'Incomplete'

export class ReplayError extends Error {
  readonly kind: ReplayErrorKind
  constructor(kind: ReplayErrorKind, message: string) {
    super(`${kind}: ${message}`)
    this.kind = kind
    this.name = `Replay${kind}Error`
  }
}

/** A transcript line that is not valid JSON or not a valid entry; `line` is 1-based. */
export class ReplayParseError extends ReplayError {
  readonly transcript: string
  readonly line: number
  constructor(transcript: string, line: number, reason: string) {
    super('Parse', `${transcript}:${line}: ${reason}`)
    this.transcript = transcript
    this.line = line
  }
}

/** The client sent a frame but the transcript has no entries left. */
export class ReplayExhaustedError extends ReplayError {
  readonly actual: unknown
  constructor(actual: unknown) {
    super('Exhausted', `transcript exhausted, but the client sent ${JSON.stringify(actual)}`)
    this.actual = actual
  }
}

/** The client sent a frame the transcript does not expect here (wrong method or frame type, or inbound frames still pending). */
export class ReplayUnexpectedOutboundError extends ReplayError {
  readonly actual: unknown
  readonly expected: TranscriptEntry | undefined
  constructor(actual: unknown, expected: TranscriptEntry | undefined, reason: string) {
    super('UnexpectedOutbound', `${reason}${expected ? ` (transcript line ${expected.line})` : ''}; the client sent ${JSON.stringify(actual)}`)
    this.actual = actual
    this.expected = expected
  }
}

/** Strict mode: the outbound frame differs from the recorded one after normalization. `diff` is a unified text diff. */
export class ReplayFrameMismatchError extends ReplayError {
  readonly expected: unknown
  readonly actual: unknown
  readonly line: number
  readonly diff: string
  constructor(expected: unknown, actual: unknown, line: number, diff: string) {
    super('FrameMismatch', `outbound frame differs from transcript line ${line} (- expected, + actual):\n${diff}`)
    this.expected = expected
    this.actual = actual
    this.line = line
    this.diff = diff
  }
}

/** The recorded runtime exited with error or cancelled status, or the client wrote after it exited. */
export class ReplayRuntimeExitError extends ReplayError {
  readonly status: 'success' | 'error' | 'cancelled'
  readonly error: string | undefined
  readonly line: number
  constructor(status: 'success' | 'error' | 'cancelled', error: string | undefined, line: number, reason: string) {
    super('RuntimeExit', `${reason} (runtime_exit ${status}${error ? `: ${error}` : ''}, transcript line ${line})`)
    this.status = status
    this.error = error
    this.line = line
  }
}

/** The replay ended with recorded entries left unconsumed. */
export class ReplayIncompleteError extends ReplayError {
  readonly remaining: readonly TranscriptEntry[]
  constructor(remaining: readonly TranscriptEntry[]) {
    const head = remaining.slice(0, 5).map((e) => `  line ${e.line}: ${e.type}${e.type === 'runtime_exit' ? ` ${e.status}` : ` ${describeFrame(e.frame)}`}`)
    super('Incomplete', `${remaining.length} recorded entries left unconsumed:\n${head.join('\n')}${remaining.length > 5 ? '\n  …' : ''}`)
    this.remaining = remaining
  }
}

/** A one-line name for a frame: its JSON-RPC method, response id, or Claude frame type. */
export const describeFrame = (frame: unknown): string => {
  if (typeof frame !== 'object' || frame === null) return JSON.stringify(frame)
  const f = frame as Record<string, unknown>
  if (typeof f.method === 'string') return f.id === undefined ? f.method : `${f.method} #${String(f.id)}`
  if ('id' in f) return `response #${String(f.id)}`
  if (typeof f.type === 'string') return typeof f.subtype === 'string' ? `${f.type}/${f.subtype}` : f.type
  return JSON.stringify(frame).slice(0, 80)
}
