/**
 * @module A decision in progress: reads see the state plus the changes made so far, writes
 * become domain events and effects. The state itself is never touched, so `decide` is pure.
 */
import type { AppThread, DomainEvent, EffectBody, LoomError } from '../../contracts/index.ts'
import { COLLECTION_OF, type CollectionName, type EntityOf, type ThreadState } from './state.ts'

type EntityEvent = Exclude<DomainEvent, { type: 'thread.created' | 'thread.updated' }>
type PayloadOf<T extends EntityEvent['type']> = Extract<EntityEvent, { type: T }>['payload']

export class Draft {
  readonly state: ThreadState
  readonly events: DomainEvent[] = []
  readonly effects: EffectBody[] = []
  private readonly overlay = new Map<CollectionName, Map<string, unknown>>()
  private threadOverlay: AppThread | null = null
  private ordinal: number

  constructor(state: ThreadState) {
    this.state = state
    this.ordinal = state.itemOrdinal
  }

  get thread(): AppThread {
    const thread = this.threadOverlay ?? this.state.thread
    if (thread === null) throw new Error('draft has no thread')
    return thread
  }

  get<C extends CollectionName>(collection: C, id: string): EntityOf<C> | undefined {
    const changed = this.overlay.get(collection)?.get(id)
    return (changed ?? this.state[collection].get(id)) as EntityOf<C> | undefined
  }

  /** Every entity of a collection as the decision sees it, in first-seen order. */
  all<C extends CollectionName>(collection: C): EntityOf<C>[] {
    const changed = this.overlay.get(collection)
    const out: EntityOf<C>[] = []
    for (const [id, entity] of this.state[collection]) out.push((changed?.get(id) ?? entity) as EntityOf<C>)
    if (changed) for (const [id, entity] of changed) if (!this.state[collection].has(id)) out.push(entity as EntityOf<C>)
    return out
  }

  put<T extends EntityEvent['type']>(type: T, entity: PayloadOf<T>): PayloadOf<T> {
    const collection = COLLECTION_OF[type] as CollectionName
    let changed = this.overlay.get(collection)
    if (!changed) this.overlay.set(collection, (changed = new Map()))
    changed.set((entity as { id: string }).id, entity)
    this.events.push({ type, payload: entity } as DomainEvent)
    return entity
  }

  putThread(type: 'thread.created' | 'thread.updated', thread: AppThread): AppThread {
    this.threadOverlay = thread
    this.events.push({ type, payload: thread })
    return thread
  }

  effect(body: EffectBody): void {
    this.effects.push(body)
  }

  /** Allocates the next display position; positions are never reused. */
  nextItemOrdinal(): number {
    this.ordinal += 1
    return this.ordinal
  }
}

export type Accepted = { ok: true; events: DomainEvent[]; effects: EffectBody[] }
export type Rejected = { ok: false; error: LoomError }
export type Decision = Accepted | Rejected

export const accepted = (draft: Draft): Accepted => ({ ok: true, events: draft.events, effects: draft.effects })
export const rejected = (error: LoomError): Rejected => ({ ok: false, error })
