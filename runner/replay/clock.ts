/**
 * @module A virtual clock for `afterMs`: replays never sleep for real. `sleep(ms)` resolves
 * when the test advances the clock past its deadline (`advance`), or at once with
 * `{ auto: true }`, where every sleep moves the clock forward by itself (for replays that
 * nobody steps, e.g. a command-line replay).
 */

export type VirtualClock = {
  /** Virtual milliseconds since the clock was created (starts at `start`, default 0). */
  now: () => number
  /** Resolves when the virtual time reaches now() + ms. */
  sleep: (ms: number) => Promise<void>
  /** Moves time forward by ms, waking sleepers in deadline order; settles their continuations before returning. */
  advance: (ms: number) => Promise<void>
  /** Sleepers not yet woken. */
  pending: () => number
}

type Sleeper = { at: number; seq: number; wake: () => void }

/** Lets promise continuations of woken sleepers run (and maybe schedule new sleeps). */
const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

export const createVirtualClock = (options: { start?: number; auto?: boolean } = {}): VirtualClock => {
  let now = options.start ?? 0
  let seq = 0
  const sleepers: Sleeper[] = []

  const sleep = (ms: number): Promise<void> => {
    if (ms <= 0) return Promise.resolve()
    if (options.auto) {
      now += ms
      return Promise.resolve()
    }
    return new Promise((wake) => {
      sleepers.push({ at: now + ms, seq: seq++, wake })
      sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq)
    })
  }

  const advance = async (ms: number) => {
    const target = now + ms
    while (sleepers.length > 0 && sleepers[0]!.at <= target) {
      const sleeper = sleepers.shift()!
      now = sleeper.at
      sleeper.wake()
      await settle()
    }
    now = target
    await settle()
  }

  return { now: () => now, sleep, advance, pending: () => sleepers.length }
}
