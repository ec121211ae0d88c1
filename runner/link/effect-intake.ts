/**
 * @module Effects arriving on a thread link: each id is carried out once (a redelivery of a
 * running effect is ignored; of a finished one, its outcome is reported again unless that
 * report is still on its way), with `effect.accepted` at once and `effect.completed` or
 * `effect.failed` when done. While the runner shuts down nothing new is taken, so the thread
 * keeps those effects for the next runner.
 */
import { providerFailure, type Effect, type RuntimeEvent } from '../../src/contracts/index.ts'
import type { Logger } from '../console-log.ts'
import { createEffectLedger, type EffectOutcome } from './effect-ledger.ts'

export type EffectIntakeOptions = {
  threadId: string
  emit: (event: RuntimeEvent) => void
  /** Whether an event is still waiting or unacknowledged on the link. */
  holds: (match: (event: RuntimeEvent) => boolean) => boolean
  /** Carries the effect out; resolves with its outcome and never rejects. */
  carryOut: (effect: Effect) => Promise<EffectOutcome>
  log: Logger
}

export class EffectIntake {
  accepting = true
  private readonly options: EffectIntakeOptions
  private readonly ledger = createEffectLedger()

  constructor(options: EffectIntakeOptions) {
    this.options = options
  }

  receive(effect: Effect): void {
    const { emit, holds, carryOut, log, threadId } = this.options
    if (!this.accepting) return
    const effectId = effect.effectId
    const receipt = this.ledger.receive(effectId)
    if (receipt.kind === 'running') return
    if (receipt.kind === 'done') {
      const pending = holds((e) => (e.type === 'effect.completed' || e.type === 'effect.failed') && e.effectId === effectId)
      if (!pending) emit(receipt.outcome)
      return
    }
    emit({ type: 'effect.accepted', effectId, at: Date.now() })
    carryOut(effect)
      .catch((cause: unknown): EffectOutcome => {
        log.error('an effect handler threw', { threadId, effectId, cause: String(cause) })
        return { type: 'effect.failed', effectId, failure: providerFailure('unknown', String(cause), 'runner_error', null), at: Date.now() }
      })
      .then((outcome) => {
        this.ledger.finish(effectId, outcome)
        emit(outcome)
      })
  }
}
