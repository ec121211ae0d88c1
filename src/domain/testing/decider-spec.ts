/**
 * @module A small given/when/then for the thread decider, in the spirit of Emmett's
 * DeciderSpecification: `given` replays history through the real decide/ingest/decideSystem
 * and evolve, `when` takes one more input, `then…` checks its events, effects or rejection.
 *
 * @example
 * given(create(), linked()).when(dispatch('hi')).thenEffects({ kind: 'turn.start' })
 */
import { CAPABILITIES, type ProviderKind } from '../../contracts/index.ts'
import { expect } from 'vitest'
import type { z } from 'zod'
import {
  Command,
  DomainEvent,
  Effect,
  RuntimeEvent,
  deriveId,
  type CommandInput,
  type EffectBody,
  type ErrorCode,
  type LoomError,
} from '../../contracts/index.ts'
import { decide, decideSystem, evolve, ingest, initialState, type DecideContext, type SystemCommand, type ThreadState } from '../thread/index.ts'

/** One input to the thread; `ctx` overrides the world's context for this step only. */
export type Step = (
  | { command: CommandInput }
  | { runtime: RuntimeEventInput }
  | { system: SystemCommand }
  | { events: DomainEvent[] }
) & { ctx?: Partial<DecideContext> }
export type RuntimeEventInput = z.input<typeof RuntimeEvent>

export type Outcome =
  | { ok: true; events: DomainEvent[]; effects: Effect[]; dropped: string | null }
  | { ok: false; error: LoomError }

const DEFAULTS = { now: 1_000, actor: 'user:alice', requestExpiryMs: null, capabilities: (p: ProviderKind) => CAPABILITIES[p] }

/**
 * A thread as the object would hold it: state, log and outbox. Runner presence follows the
 * system steps (`runner.linked` sets the epoch commands see, `runner.lost` of it clears it).
 */
export class ThreadWorld {
  readonly state: ThreadState = initialState()
  readonly log: DomainEvent[] = []
  readonly outbox: Effect[] = []
  runnerEpoch: number | null = null

  get sequence(): number {
    return this.log.length
  }

  /** Decides `step`; commits its events and effects when accepted. */
  apply(step: Step): Outcome {
    const ctx: DecideContext = { ...DEFAULTS, runnerEpoch: this.runnerEpoch, ...step.ctx }
    let outcome: Outcome
    if ('events' in step) {
      outcome = { ok: true, events: step.events, effects: [], dropped: null }
    } else if ('command' in step) {
      const decision = decide(this.state, Command.parse(step.command), ctx, this.sequence)
      outcome = decision.ok ? this.outcome(decision.events, decision.effects, null) : decision
    } else if ('runtime' in step) {
      const epoch = ctx.runnerEpoch ?? 1
      const effectBody = (id: string) => this.outbox.find((e) => e.effectId === id)?.body
      const result = ingest(this.state, RuntimeEvent.parse(step.runtime), { ...ctx, epoch, effectBody })
      outcome = this.outcome(result.events, result.effects, result.dropped)
    } else {
      const decision = decideSystem(this.state, step.system, ctx)
      outcome = decision.ok ? this.outcome(decision.events, decision.effects, null) : decision
      if (decision.ok && step.system.type === 'runner.linked') this.runnerEpoch = step.system.epoch
      if (decision.ok && step.system.type === 'runner.lost' && step.system.epoch === this.runnerEpoch) this.runnerEpoch = null
    }
    if (outcome.ok) {
      // Whatever the decider emits must satisfy the contracts the worker stores and sends.
      for (const event of outcome.events) DomainEvent.parse(event)
      for (const effect of outcome.effects) Effect.parse(effect)
      for (const event of outcome.events) {
        evolve(this.state, event)
        this.log.push(event)
      }
      this.outbox.push(...outcome.effects)
    }
    return outcome
  }

  /** Applies `step` and fails the test if it is rejected: history must be valid. */
  must(step: Step): this {
    const outcome = this.apply(step)
    if (!outcome.ok) throw new Error(`given step was rejected: ${outcome.error.code}: ${outcome.error.message}`)
    return this
  }

  /** The latest effect of a kind, e.g. to fail it or to read a fork seed. */
  lastEffect<K extends EffectBody['kind']>(kind: K): Effect & { body: Extract<EffectBody, { kind: K }> } {
    const found = this.outbox.findLast((e) => e.body.kind === kind)
    if (!found) throw new Error(`no ${kind} effect in the outbox`)
    return found as Effect & { body: Extract<EffectBody, { kind: K }> }
  }

  private outcome(events: DomainEvent[], bodies: EffectBody[], dropped: string | null): Outcome {
    const threadId = this.state.thread?.id ?? events.find((e) => e.type === 'thread.created')?.payload.id ?? 'none'
    const sequence = this.sequence + events.length
    const effects = bodies.map((body, i) => ({ effectId: deriveId.effect(threadId, sequence, i), threadId, body }) as Effect)
    return { ok: true, events, effects, dropped }
  }
}

type EventMatch = { type: DomainEvent['type']; payload?: Record<string, unknown> }
type EffectMatch = { kind: EffectBody['kind'] } & Record<string, unknown>

export class Then {
  readonly world: ThreadWorld
  readonly outcome: Outcome

  constructor(world: ThreadWorld, outcome: Outcome) {
    this.world = world
    this.outcome = outcome
  }

  private accepted() {
    if (!this.outcome.ok) throw new Error(`expected acceptance, got ${this.outcome.error.code}: ${this.outcome.error.message}`)
    return this.outcome
  }

  /** Exactly these events, in order; payloads match partially. */
  thenEvents(...expected: EventMatch[]): this {
    expect(this.accepted().events).toMatchObject(expected)
    return this
  }

  /** These events among others, each matched partially. */
  thenIncludes(...expected: EventMatch[]): this {
    const matchers = expected.map((e) => expect.objectContaining({ type: e.type, ...(e.payload ? { payload: expect.objectContaining(e.payload) } : {}) }))
    expect(this.accepted().events).toEqual(expect.arrayContaining(matchers))
    return this
  }

  /** Exactly these effect bodies, in order; fields match partially. */
  thenEffects(...expected: EffectMatch[]): this {
    expect(this.accepted().effects.map((e) => e.body)).toMatchObject(expected)
    return this
  }

  thenRejects(code: ErrorCode): this {
    expect(this.outcome.ok ? 'accepted' : this.outcome.error.code).toBe(code)
    return this
  }

  /** The runtime event was dropped; the reason contains `reason` when given. */
  thenDropped(reason?: string): this {
    const outcome = this.accepted()
    expect(outcome.events).toEqual([])
    expect(outcome.dropped).toContain(reason ?? '')
    return this
  }

  /** Accepted with no events and no effects. */
  thenNothing(): this {
    const outcome = this.accepted()
    expect({ events: outcome.events, effects: outcome.effects }).toEqual({ events: [], effects: [] })
    return this
  }

  /** Free-form checks on the committed state and outcome. (Not `then`: that would make it a thenable.) */
  thenState(check: (r: { state: ThreadState; world: ThreadWorld; events: DomainEvent[]; effects: Effect[] }) => void): this {
    const outcome = this.accepted()
    check({ state: this.world.state, world: this.world, events: outcome.events, effects: outcome.effects })
    return this
  }
}

/** Replays `history`; each step must be accepted. */
export const given = (...history: Step[]) => ({
  when: (step: Step): Then => {
    const world = new ThreadWorld()
    for (const past of history) world.must(past)
    return new Then(world, world.apply(step))
  },
  world: (): ThreadWorld => {
    const world = new ThreadWorld()
    for (const past of history) world.must(past)
    return world
  },
})
