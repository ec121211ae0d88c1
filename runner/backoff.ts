/**
 * @module Reconnect delays: exponential backoff with jitter, so a worker restart is not met by
 * every runner at the same instant.
 */

export type BackoffOptions = {
  /** The first delay before jitter (default 250 ms). */
  baseMs?: number
  /** The longest delay (default 15 s). */
  maxMs?: number
  /** A number in [0, 1); `Math.random` by default. */
  random?: () => number
}

export type Backoff = {
  /** The delay before the next attempt; each call doubles the ceiling up to `maxMs`. */
  next: () => number
  /** Back to the first delay (after a successful connect). */
  reset: () => void
  readonly attempts: number
}

/** "Equal jitter": half the ceiling fixed, half random, so delays never collapse to zero. */
export const createBackoff = (options: BackoffOptions = {}): Backoff => {
  const baseMs = options.baseMs ?? 250
  const maxMs = options.maxMs ?? 15_000
  const random = options.random ?? Math.random
  let attempts = 0
  return {
    next: () => {
      const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempts, 30))
      attempts++
      return Math.round(ceiling / 2 + random() * (ceiling / 2))
    },
    reset: () => {
      attempts = 0
    },
    get attempts() {
      return attempts
    },
  }
}
