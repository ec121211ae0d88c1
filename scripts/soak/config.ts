/**
 * @module The soak's sizes: the full run (`npm run soak`) and the short one (`npm run test:soak`,
 * about a minute, every fault kind at least once). Both are bounded in time and in count.
 */

export type SoakConfig = {
  name: 'full' | 'short'
  seed: number
  workspaces: number
  threads: number
  /** Threads with a turn under way at once. */
  streaming: number
  /** Share of threads on Claude (the rest on Codex). */
  claudeShare: number
  /** Subscribers joining (and leaving) over the run, and how many are connected at most at once. */
  subscriberJoins: number
  subscribersAtOnce: number
  /** Subscribers on from the first event to the end (on as many threads), through every fault. */
  watchers: number
  /** Distinct API clients (tokens) sending commands. */
  clients: number
  /** How long load and faults run, and the most turns started. */
  loadMs: number
  maxTurns: number
  /** Pause between two faults, drawn between these. */
  faultGapMs: [number, number]
  /** Chance that a command is also sent twice at once, and again after its answer. */
  duplicateChance: number
  leaseSeconds: number
  idleSeconds: number
}

export const FULL: Omit<SoakConfig, 'seed'> = {
  name: 'full',
  workspaces: 4,
  threads: 200,
  streaming: 20,
  claudeShare: 0.1,
  subscriberJoins: 500,
  subscribersAtOnce: 80,
  watchers: 40,
  clients: 4,
  loadMs: 240_000,
  maxTurns: 2_000,
  faultGapMs: [1_500, 4_000],
  duplicateChance: 0.25,
  leaseSeconds: 5,
  idleSeconds: 8,
}

export const SHORT: Omit<SoakConfig, 'seed'> = {
  name: 'short',
  workspaces: 2,
  threads: 24,
  streaming: 6,
  claudeShare: 0.15,
  subscriberJoins: 60,
  subscribersAtOnce: 20,
  watchers: 8,
  clients: 3,
  loadMs: 30_000,
  maxTurns: 300,
  faultGapMs: [1_000, 2_200],
  duplicateChance: 0.25,
  leaseSeconds: 4,
  idleSeconds: 4,
}
