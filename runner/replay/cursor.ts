/**
 * @module The replay cursor: walks a transcript for one replay transport.
 *
 * A transport loops: the client writes a frame -> `expectOutbound(frame)`; then it feeds the
 * client every frame of `drainInbound()` (consecutive `emit_inbound` entries up to the next
 * `expect_outbound` or `runtime_exit`, each after its `afterMs` on the virtual clock). When the
 * cursor stands at a `runtime_exit`, `takeExit()` ends the process (or `expectExit()`, which
 * throws for error / cancelled). At the end, `assertComplete()` fails if entries are left.
 *
 * A frame the client writes while recorded inbound frames are still being drained (e.g. during
 * an `afterMs` wait) is matched against the next `expect_outbound` after them; the pending
 * inbound frames are still delivered.
 */
import { createVirtualClock, type VirtualClock } from './clock.ts'
import { ReplayExhaustedError, ReplayIncompleteError, ReplayRuntimeExitError } from './errors.ts'
import { createMatcher, frameKey, type Matcher, type MatcherOptions, type MatchMode, type MatchOutcome } from './match.ts'
import { HOUSEKEEPING_FRAMES } from './equivalences.ts'
import type { RuntimeExit, Transcript, TranscriptEntry } from './transcript.ts'

export type ReplayCursorOptions = {
  mode: MatchMode
  /** Default: a manual virtual clock starting at 0 (the test advances it). */
  clock?: VirtualClock
  equivalences?: MatcherOptions['equivalences']
  normalize?: MatcherOptions['normalize']
}

export type InboundFrame = { frame: unknown; label?: string; line: number }

export type ReplayCursor = {
  readonly transcript: Transcript
  readonly clock: VirtualClock
  readonly matcher: Matcher
  /** Yields the consecutive inbound frames at the cursor (ids remapped in compatible mode). A second concurrent drain yields nothing. */
  drainInbound: () => AsyncGenerator<InboundFrame>
  /** Matches one frame the client wrote; throws Exhausted, UnexpectedOutbound, FrameMismatch or RuntimeExit. */
  expectOutbound: (frame: unknown) => MatchOutcome
  /** The entry at the cursor, if any. */
  peek: () => TranscriptEntry | undefined
  /** Consumes the `runtime_exit` at the cursor and returns it; undefined when the cursor is elsewhere. */
  takeExit: () => RuntimeExit | undefined
  /** Consumes the `runtime_exit` at the cursor; throws RuntimeExit when it is missing or not `success`. */
  expectExit: () => RuntimeExit
  /** Entries not consumed yet. */
  remaining: () => readonly TranscriptEntry[]
  /** Entries consumed so far, as the live protocol saw them. */
  history: () => readonly TranscriptEntry[]
  /** Throws Incomplete with the entries left. */
  assertComplete: () => void
}

export const createReplayCursor = (transcript: Transcript, options: ReplayCursorOptions): ReplayCursor => {
  const clock = options.clock ?? createVirtualClock()
  const matcher = createMatcher({ protocol: transcript.header.protocol, mode: options.mode, equivalences: options.equivalences, normalize: options.normalize })
  const queue: TranscriptEntry[] = [...transcript.entries]
  const housekeepingFrames = HOUSEKEEPING_FRAMES.filter((c) => c.protocol === transcript.header.protocol)
  const done: TranscriptEntry[] = []
  let draining = false

  async function* drainInbound(): AsyncGenerator<InboundFrame> {
    if (draining) return
    draining = true
    try {
      while (queue[0]?.type === 'emit_inbound') {
        const entry = queue[0]
        if (entry.afterMs !== undefined && entry.afterMs > 0) await clock.sleep(entry.afterMs)
        // The entry may have been consumed meanwhile only by another drain, which `draining` rules out.
        queue.shift()
        done.push(entry)
        const frame = matcher.mapInbound(entry.frame)
        yield entry.label === undefined ? { frame, line: entry.line } : { frame, label: entry.label, line: entry.line }
      }
    } finally {
      draining = false
    }
  }

  const expectOutbound = (frame: unknown): MatchOutcome => {
    let at = 0
    while (queue[at]?.type === 'emit_inbound') at++
    const next = queue[at]
    if (next === undefined) throw new ReplayExhaustedError(frame)
    // A housekeeping frame the recording's client never sent (compatible mode): answered where it comes, unless recorded right here.
    const key = frameKey(transcript.header.protocol, frame)
    const housekeeping = options.mode === 'compatible' ? housekeepingFrames.find((c) => c.method === key) : undefined
    const id = (frame as { id?: unknown } | null)?.id
    const recordedHere = next.type === 'expect_outbound' && frameKey(transcript.header.protocol, next.frame) === key
    const beforeExit = next.type !== 'runtime_exit' || next.status === 'success'
    const result = housekeeping && !recordedHere && beforeExit && (typeof id === 'string' || typeof id === 'number') ? housekeeping.respond(frame, done) : undefined
    if (housekeeping && result !== undefined && typeof result !== 'string') {
      queue.splice(at, 0, { type: 'emit_inbound', label: housekeeping.name, line: next.line, frame: { id, result } })
      done.push({ type: 'expect_outbound', label: housekeeping.name, frame, line: next.line })
      return { consume: 0, replace: [], equivalence: housekeeping.name }
    }
    if (next.type === 'runtime_exit') {
      throw new ReplayRuntimeExitError(next.status, next.error, next.line, `the client sent ${JSON.stringify(frame)} after the runtime exited`)
    }
    const outcome = matcher.matchOutbound(frame, queue.slice(at), done)
    const consumed = queue.splice(at, outcome.consume, ...outcome.replace)
    done.push(outcome.equivalence === undefined ? consumed[0]! : { type: 'expect_outbound', label: outcome.equivalence, frame, line: next.line })
    return outcome
  }

  const takeExit = (): RuntimeExit | undefined => {
    const next = queue[0]
    if (next?.type !== 'runtime_exit') return undefined
    queue.shift()
    done.push(next)
    return next
  }

  return {
    transcript,
    clock,
    matcher,
    drainInbound,
    expectOutbound,
    peek: () => queue[0],
    takeExit,
    expectExit: () => {
      const next = queue[0]
      const exit = takeExit()
      if (exit === undefined) throw new ReplayRuntimeExitError('success', undefined, next?.line ?? 0, `expected runtime_exit, the transcript has ${next ? next.type : 'nothing left'}`)
      if (exit.status !== 'success') throw new ReplayRuntimeExitError(exit.status, exit.error, exit.line, 'the recorded runtime failed')
      return exit
    },
    remaining: () => [...queue],
    history: () => [...done],
    assertComplete: () => {
      if (queue.length > 0) throw new ReplayIncompleteError([...queue])
    },
  }
}
