/** @module Reconnect delays: exponential growth with full jitter, so many clients never retry in step. */

export type BackoffOptions = {
  initialDelayMs?: number
  maxDelayMs?: number
  factor?: number
  /** A number in [0, 1); injectable so tests are deterministic. */
  random?: () => number
}

/** The delay before reconnect attempt `attempt` (0-based): uniform in [0, min(max, initial * factor^attempt)]. */
export const backoffDelay = (attempt: number, opts: BackoffOptions = {}): number => {
  const initial = opts.initialDelayMs ?? 250
  const max = opts.maxDelayMs ?? 10_000
  const factor = opts.factor ?? 2
  const ceiling = Math.min(max, initial * factor ** Math.min(attempt, 30))
  return Math.floor((opts.random ?? Math.random)() * ceiling)
}
