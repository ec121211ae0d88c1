/**
 * @module A replay failure as the Claude transport reports it: the core's `ReplayError` with
 * the expected and the actual frame side by side where there are two frames to show.
 */
import {
  ReplayError,
  ReplayExhaustedError,
  ReplayFrameMismatchError,
  ReplayUnexpectedOutboundError,
  sideBySideFrames,
  type ReplayErrorKind,
} from '../replay/index.ts'

const sides = (error: ReplayError): [unknown, unknown] | null => {
  if (error instanceof ReplayFrameMismatchError) return [error.expected, error.actual]
  if (error instanceof ReplayUnexpectedOutboundError) {
    const e = error.expected
    return [e === undefined ? null : e.type === 'runtime_exit' ? { runtime_exit: e.status, error: e.error } : e.frame, error.actual]
  }
  if (error instanceof ReplayExhaustedError) return [null, error.actual]
  return null
}

export class ClaudeReplayError extends Error {
  readonly kind: ReplayErrorKind
  readonly replay: ReplayError

  constructor(error: ReplayError) {
    const pair = sides(error)
    super(pair ? `${error.message}\n${sideBySideFrames(pair[0], pair[1])}` : error.message)
    this.name = 'ClaudeReplayError'
    this.kind = error.kind
    this.replay = error
  }
}

/** Wraps a `ReplayError`; anything else is returned as it is. */
export const replayFailure = (error: unknown): unknown => (error instanceof ReplayError ? new ClaudeReplayError(error) : error)
