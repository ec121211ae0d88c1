import { describe, expect, it } from 'vitest'
import { createEffectLedger } from './effect-ledger.ts'

describe('the effect ledger', () => {
  it('should carry out an effect once and remember its outcome for redeliveries', () => {
    const ledger = createEffectLedger()
    expect(ledger.receive('e1')).toEqual({ kind: 'new' })
    expect(ledger.receive('e1')).toEqual({ kind: 'running' })
    const outcome = { type: 'effect.completed', effectId: 'e1' } as const
    ledger.finish('e1', outcome as never)
    expect(ledger.receive('e1')).toEqual({ kind: 'done', outcome })
  })

  it('should forget the oldest ids beyond its capacity', () => {
    const ledger = createEffectLedger(2)
    ledger.receive('a')
    ledger.receive('b')
    ledger.receive('c')
    expect(ledger.size).toBe(2)
    expect(ledger.receive('a')).toEqual({ kind: 'new' })
    expect(ledger.receive('c')).toEqual({ kind: 'running' })
  })
})
