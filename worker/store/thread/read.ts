/** @module Reading a thread back: its projection rows into state, and pages of its log. */
import { asc, gt, sql } from 'drizzle-orm'
import { DomainEvent, type StoredEvent } from '../../../src/contracts/index.ts'
import { COLLECTION_NAMES, initialState, type ThreadState } from '../../../src/domain/thread/index.ts'
import { entities, events } from '../thread-schema.ts'
import type { ThreadDb } from './open.ts'

export const lastSequence = (db: ThreadDb): number =>
  db.select({ max: sql<number | null>`max(${events.sequence})` }).from(events).get()?.max ?? 0

/** Loads the projection rows into a fresh state. */
export const loadState = (db: ThreadDb): ThreadState => {
  const state = initialState()
  const known = new Set<string>(COLLECTION_NAMES)
  for (const row of db.select({ kind: entities.kind, payload: entities.payload }).from(entities).all()) {
    const entity = JSON.parse(row.payload)
    if (row.kind === 'thread') state.thread = entity
    else if (known.has(row.kind)) {
      ;(state[row.kind as (typeof COLLECTION_NAMES)[number]] as Map<string, unknown>).set(entity.id, entity)
      if (row.kind === 'turnItems' && entity.ordinal > state.itemOrdinal) state.itemOrdinal = entity.ordinal
    }
  }
  return state
}

const toStored = (threadId: string, row: typeof events.$inferSelect): StoredEvent => ({
  sequence: row.sequence,
  eventId: row.eventId as StoredEvent['eventId'],
  threadId: threadId as StoredEvent['threadId'],
  commandId: row.commandId as StoredEvent['commandId'],
  actor: row.actor,
  occurredAt: row.occurredAt,
  event: { type: row.type, payload: JSON.parse(row.payload) } as DomainEvent,
})

export const readEvents = (db: ThreadDb, threadId: string, after: number, limit: number): StoredEvent[] =>
  db.select().from(events).where(gt(events.sequence, after)).orderBy(asc(events.sequence)).limit(limit).all().map((row) => toStored(threadId, row))

/** Every event in order, for rebuilding the projection after a schema change. */
export function* allEvents(db: ThreadDb, threadId: string, pageSize = 1000): Generator<StoredEvent> {
  let after = 0
  for (;;) {
    const page = readEvents(db, threadId, after, pageSize)
    yield* page
    if (page.length < pageSize) return
    after = page[page.length - 1]!.sequence
  }
}
