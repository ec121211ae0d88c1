/**
 * @module Effect ids this runner process has seen, so a redelivered effect (after a reconnect,
 * the thread resends what it has no outcome for) is never carried out twice.
 */
import type { RuntimeEvent } from '../../src/contracts/index.ts'

export type EffectOutcome = Extract<RuntimeEvent, { type: 'effect.completed' | 'effect.failed' }>

export type Receipt = { kind: 'new' } | { kind: 'running' } | { kind: 'done'; outcome: EffectOutcome }

export type EffectLedger = {
  /** Records the effect as running when it is new; says what is known otherwise. */
  receive: (effectId: string) => Receipt
  finish: (effectId: string, outcome: EffectOutcome) => void
  readonly size: number
}

/** Keeps the newest `capacity` ids; the thread never redelivers anything that old. */
export const createEffectLedger = (capacity = 10_000): EffectLedger => {
  const entries = new Map<string, EffectOutcome | null>()
  const trim = () => {
    for (const key of entries.keys()) {
      if (entries.size <= capacity) break
      entries.delete(key)
    }
  }
  return {
    receive: (effectId) => {
      if (!entries.has(effectId)) {
        entries.set(effectId, null)
        trim()
        return { kind: 'new' }
      }
      const outcome = entries.get(effectId)
      return outcome ? { kind: 'done', outcome } : { kind: 'running' }
    },
    finish: (effectId, outcome) => void entries.set(effectId, outcome),
    get size() {
      return entries.size
    },
  }
}
