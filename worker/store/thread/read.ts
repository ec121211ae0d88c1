/** @module Reading a thread back: its projection rows into state, and pages of its log. */
import { deriveId, type DomainEvent, type StoredEvent } from '../../../src/contracts/index.ts'
import { COLLECTION_NAMES, initialState, putEntity, type CollectionName, type ThreadState } from '../../../src/domain/thread/index.ts'
import { entities } from '../thread-schema.ts'
import type { ThreadDb } from './open.ts'
import { sqlOf } from './sql.ts'

export const lastSequence = (db: ThreadDb): number =>
  sqlOf(db).exec<{ last: number | null }>('SELECT max("last_sequence") AS "last" FROM "log"').one().last ?? 0

/** Loads the projection rows into a fresh state. */
export const loadState = (db: ThreadDb): ThreadState => {
  const state = initialState()
  const known = new Set<string>(COLLECTION_NAMES)
  for (const row of db.select({ kind: entities.kind, payload: entities.payload }).from(entities).all()) {
    const entity = JSON.parse(row.payload)
    if (row.kind === 'thread') state.thread = entity
    else if (known.has(row.kind)) {
      putEntity(state, row.kind as CollectionName, entity)
    }
  }
  return state
}

type LogRow = { first_sequence: number; command_id: string | null; actor: string; occurred_at: number; events: string }

const LOG_AFTER = 'SELECT "first_sequence", "command_id", "actor", "occurred_at", "events" FROM "log" WHERE "last_sequence" > ? ORDER BY "first_sequence"'

/** Up to `limit` events after sequence `after`, in order (log rows are read until there are enough). */
export const readEvents = (db: ThreadDb, threadId: string, after: number, limit: number): StoredEvent[] => {
  const out: StoredEvent[] = []
  if (limit <= 0) return out
  // Each row holds at least one event, so `limit` rows are always enough.
  for (const row of sqlOf(db).exec<LogRow>(`${LOG_AFTER} LIMIT ?`, after, limit)) {
    const events = JSON.parse(row.events) as DomainEvent[]
    for (let i = Math.max(0, after + 1 - row.first_sequence); i < events.length && out.length < limit; i++) {
      const sequence = row.first_sequence + i
      out.push({
        sequence,
        eventId: deriveId.event(threadId, sequence),
        threadId: threadId as StoredEvent['threadId'],
        commandId: row.command_id as StoredEvent['commandId'],
        actor: row.actor,
        occurredAt: row.occurred_at,
        event: events[i] as DomainEvent,
      })
    }
    if (out.length >= limit) break
  }
  return out
}

/** When the last commit happened, or undefined for an empty log. */
export const lastCommitAt = (db: ThreadDb): number | undefined =>
  sqlOf(db).exec<{ occurred_at: number }>('SELECT "occurred_at" FROM "log" ORDER BY "first_sequence" DESC LIMIT 1').toArray()[0]?.occurred_at

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
