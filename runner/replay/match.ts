/**
 * @module Outbound matching, per mode.
 *
 * - `strict` (our own fixtures): the live frame must deep-equal the recorded one after
 *   normalization (key-sorted stable JSON). A mismatch throws `ReplayFrameMismatchError` with
 *   both normalized frames and a unified diff.
 * - `compatible` (recordings by other clients or older provider versions): frames match by
 *   JSON-RPC method (Codex; responses by id) or frame type (Claude); params are not compared.
 *   JSON-RPC ids are remapped: a recorded response to our request is rewritten to carry our
 *   request id (`mapInbound`); server requests keep the recorded id space, and our response to
 *   one must carry that id. Where the method differs, the equivalence table
 *   (equivalences.ts) may rewrite the upcoming entries; a row for the same method (a request
 *   that gained a parameter) is tried first and applies only when its condition holds. Anything else throws
 *   `ReplayUnexpectedOutboundError`.
 */
import { describeFrame, ReplayFrameMismatchError, ReplayUnexpectedOutboundError } from './errors.ts'
import { unifiedFrameDiff } from './diff.ts'
import { EQUIVALENCES, type Equivalence } from './equivalences.ts'
import { createNormalizer, stableStringify, type Normalizer, type NormalizerOptions } from './normalize.ts'
import type { FixtureProtocol, TranscriptEntry } from './transcript.ts'

export type MatchMode = 'strict' | 'compatible'

export type MatcherOptions = {
  protocol: FixtureProtocol
  mode: MatchMode
  /** Compatible mode only; default `EQUIVALENCES`. */
  equivalences?: readonly Equivalence[]
  /** Extra path roots for both normalizers. */
  normalize?: NormalizerOptions
}

/** What one outbound frame did to the transcript: entries consumed from the cursor, and entries fed in their place. */
export type MatchOutcome = { consume: number; replace: TranscriptEntry[]; equivalence?: string }

export type Matcher = {
  readonly mode: MatchMode
  /** Matches the live frame against `upcoming[0]` (an `expect_outbound`); throws a `ReplayError` when it does not match. */
  matchOutbound: (actual: unknown, upcoming: readonly TranscriptEntry[], history: readonly TranscriptEntry[]) => MatchOutcome
  /** Observes a recorded inbound frame and returns it as the live client should see it (ids remapped). */
  mapInbound: (frame: unknown) => unknown
  /** The normalizers of the recorded and of the live stream. */
  readonly recorded: Normalizer
  readonly live: Normalizer
}

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {})

/** The matching key of a frame: JSON-RPC method or `<response>` (Codex), frame type (Claude). */
export const frameKey = (protocol: FixtureProtocol, frame: unknown): string => {
  const f = obj(frame)
  if (protocol === 'codex.app-server') return typeof f.method === 'string' ? f.method : '<response>'
  return typeof f.type === 'string' ? f.type : '<untyped>'
}

/** Deep equality after normalization. */
export const sameFrame = (a: unknown, b: unknown): boolean => stableStringify(a) === stableStringify(b)

export const createMatcher = (options: MatcherOptions): Matcher => {
  const { protocol, mode } = options
  const equivalences = (options.equivalences ?? EQUIVALENCES).filter((e) => e.protocol === protocol)
  const recorded = createNormalizer(protocol, options.normalize)
  const live = createNormalizer(protocol, options.normalize)
  /** Recorded request id -> live request id, until the recorded response arrives. */
  const pending = new Map<unknown, unknown>()

  const strict = (actual: unknown, expected: TranscriptEntry & { type: 'expect_outbound' }): MatchOutcome => {
    const want = recorded.normalize(expected.frame)
    const got = live.normalize(actual)
    if (!sameFrame(want, got)) throw new ReplayFrameMismatchError(want, got, expected.line, unifiedFrameDiff(want, got))
    return { consume: 1, replace: [] }
  }

  const compatible = (actual: unknown, expected: TranscriptEntry & { type: 'expect_outbound' }, upcoming: readonly TranscriptEntry[], history: readonly TranscriptEntry[]): MatchOutcome => {
    const want = frameKey(protocol, expected.frame)
    const got = frameKey(protocol, actual)
    recorded.normalize(expected.frame)
    live.normalize(actual)
    const a = obj(actual)
    const e = obj(expected.frame)
    // A row for the same method rewrites only when its condition holds (e.g. fork with lastTurnId); otherwise the frame matches plainly.
    for (const eq of equivalences) {
      if (want !== got || eq.recorded !== want || eq.live !== got) continue
      const result = eq.apply({ actual, upcoming, history })
      if (typeof result === 'string') continue
      if (result.recordedId !== undefined && a.id !== undefined) pending.set(result.recordedId, a.id)
      return { consume: result.consume, replace: result.replace, equivalence: eq.name }
    }
    if (want === got) {
      if (protocol === 'codex.app-server') {
        if (got === '<response>' && a.id !== e.id) {
          throw new ReplayUnexpectedOutboundError(actual, expected, `response to server request #${String(a.id)}, expected a response to #${String(e.id)}`)
        }
        if (got !== '<response>' && e.id !== undefined) {
          if (a.id === undefined) throw new ReplayUnexpectedOutboundError(actual, expected, `${got} sent as a notification, recorded as request #${String(e.id)}`)
          pending.set(e.id, a.id)
        }
      }
      return { consume: 1, replace: [] }
    }
    const reasons: string[] = []
    for (const eq of equivalences) {
      if (eq.recorded !== want || eq.live !== got) continue
      const result = eq.apply({ actual, upcoming, history })
      if (typeof result === 'string') {
        reasons.push(`${eq.name}: ${result}`)
        continue
      }
      if (result.recordedId !== undefined && a.id !== undefined) pending.set(result.recordedId, a.id)
      return { consume: result.consume, replace: result.replace, equivalence: eq.name }
    }
    throw new ReplayUnexpectedOutboundError(actual, expected, `expected ${describeFrame(expected.frame)}, got ${describeFrame(actual)}${reasons.length ? ` (${reasons.join('; ')})` : ''}`)
  }

  return {
    mode,
    recorded,
    live,
    matchOutbound: (actual, upcoming, history) => {
      const expected = upcoming[0]
      if (expected?.type !== 'expect_outbound') throw new ReplayUnexpectedOutboundError(actual, expected, 'no outbound frame expected here')
      return mode === 'strict' ? strict(actual, expected) : compatible(actual, expected, upcoming, history)
    },
    mapInbound: (frame) => {
      recorded.normalize(frame)
      const f = obj(frame)
      let out = frame
      if (mode === 'compatible' && protocol === 'codex.app-server' && f.method === undefined && 'id' in f && pending.has(f.id)) {
        out = { ...f, id: pending.get(f.id) }
        pending.delete(f.id)
      }
      live.normalize(out)
      return out
    },
  }
}
