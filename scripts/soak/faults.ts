/**
 * @module The faults the soak injects, one at a time at random moments (seeded): each kind once
 * in a shuffled first round, then drawn at random. A fault that finds nothing to hit (no
 * provider process at that moment) is not counted.
 */
import type { FakeModelServer } from '../../fixtures/fake-models/index.ts'
import type { Random } from './random.ts'
import type { RunnerKill } from './record.ts'
import type { Relay } from './relay.ts'
import type { RunnerSlot } from './runners.ts'
import type { WorkerHost } from './worker-host.ts'

export const FAULT_KINDS = ['runner SIGKILL + restart', 'runner socket cut', 'subscriber socket cut', 'worker restart', 'provider process killed', 'model endpoint 500', 'model endpoint hangs'] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

export type FaultTargets = {
  host: WorkerHost
  runners: RunnerSlot[]
  subscriberRelay: Relay
  fakes: FakeModelServer[]
  random: Random
  /** Runner kills, for the checker. */
  kills: RunnerKill[]
  /** Restarts still under way (awaited before the record is taken). */
  pending: Promise<void>[]
  /** Restarts that failed (reported; the checker then sees that workspace without a live runner). */
  errors: string[]
}

const HANG_MS = 3_000
const KILL_GRACE_MS = 3_000

/** Injects one fault of `kind`; false when there was nothing to hit. */
export const inject = async (kind: FaultKind, t: FaultTargets): Promise<boolean> => {
  const live = t.runners.filter((r) => r.running)
  switch (kind) {
    case 'runner SIGKILL + restart': {
      if (live.length === 0) return false
      const slot = t.random.pick(live)
      t.kills.push(await slot.kill(KILL_GRACE_MS))
      const delay = t.random.between(200, 2_000)
      t.pending.push(new Promise((r) => setTimeout(r, delay)).then(() => slot.start()).catch((error: unknown) => void t.errors.push(String(error))))
      return true
    }
    case 'runner socket cut': {
      if (live.length === 0) return false
      return t.random.pick(live).relay.cutOne(t.random.int)
    }
    case 'subscriber socket cut':
      return t.subscriberRelay.cutOne(t.random.int)
    case 'worker restart':
      await t.host.restart(t.random.between(100, 1_500))
      return true
    case 'provider process killed': {
      const withProviders = live.filter((r) => r.providers().length > 0)
      if (withProviders.length === 0) return false
      return t.random.pick(withProviders).killProvider(t.random.int)
    }
    case 'model endpoint 500':
      t.random.pick(t.fakes).script('*', [{ kind: 'fail', status: 500 }])
      return true
    case 'model endpoint hangs':
      t.random.pick(t.fakes).script('*', [{ kind: 'hang', ms: HANG_MS }])
      return true
  }
}

/**
 * Kinds in injection order: each once (shuffled), then any kind that has not taken effect yet
 * (`done` counts what did: a model fault counts once a model call met it), then random ones.
 */
export const faultOrder = (random: Random, done: (kind: FaultKind) => number): (() => FaultKind) => {
  const first = [...FAULT_KINDS]
  for (let i = first.length - 1; i > 0; i--) {
    const j = random.int(i + 1)
    ;[first[i], first[j]] = [first[j]!, first[i]!]
  }
  return () => first.shift() ?? FAULT_KINDS.find((k) => done(k) === 0) ?? random.pick(FAULT_KINDS)
}
