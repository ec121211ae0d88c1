/**
 * @module The write of one commit: events, projection rows, the receipt and outbox rows, in
 * the caller's transaction. Statements are chunked under workerd's 100 bound parameters.
 */
import { sql } from 'drizzle-orm'
import type { StoredEvent } from '../../../src/contracts/index.ts'
import { COLLECTION_OF } from '../../../src/domain/thread/index.ts'
import { entities, events } from '../thread-schema.ts'
import type { ThreadDb } from './open.ts'

const chunks = <T>(rows: T[], size: number): T[][] => {
  const out: T[][] = []
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size))
  return out
}

export const appendEvents = (db: ThreadDb, stored: StoredEvent[]): void => {
  const rows = stored.map((e) => ({
    sequence: e.sequence,
    eventId: e.eventId,
    commandId: e.commandId,
    actor: e.actor,
    type: e.event.type,
    payload: JSON.stringify(e.event.payload),
    occurredAt: e.occurredAt,
  }))
  for (const chunk of chunks(rows, 14)) db.insert(events).values(chunk).run()
}

/** Upserts each changed entity once, at its latest value in this commit. */
export const upsertEntities = (db: ThreadDb, stored: StoredEvent[]): void => {
  const latest = new Map<string, { kind: string; id: string; runId: string | null; status: string | null; payload: string; sequence: number }>()
  for (const { event, sequence } of stored) {
    const kind = COLLECTION_OF[event.type]
    const entity = event.payload as { id: string; runId?: string | null; status?: string }
    latest.set(`${kind}\u0000${entity.id}`, {
      kind,
      id: entity.id,
      runId: kind === 'runs' ? entity.id : (entity.runId ?? null),
      status: entity.status ?? null,
      payload: JSON.stringify(entity),
      sequence,
    })
  }
  for (const chunk of chunks([...latest.values()], 16)) {
    db.insert(entities)
      .values(chunk)
      .onConflictDoUpdate({
        target: [entities.kind, entities.id],
        set: { runId: sql`excluded.run_id`, status: sql`excluded.status`, payload: sql`excluded.payload`, sequence: sql`excluded.sequence` },
      })
      .run()
  }
}
