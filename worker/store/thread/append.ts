/**
 * @module The write of one commit: events, projection rows, the receipt and outbox rows, in
 * the caller's transaction. Statements are chunked under workerd's 100 bound parameters.
 *
 * The two statements of every commit are plain SQL with cached text rather than drizzle
 * builders: building a multi-row insert walked every bound value through drizzle's query
 * builder and was about half of a runner batch's CPU (bench/profile.ts). Same tables, columns
 * and conflict handling as the schema in thread-schema.ts.
 */
import type { StoredEvent } from '../../../src/contracts/index.ts'
import { COLLECTION_OF } from '../../../src/domain/thread/index.ts'
import type { ThreadDb } from './open.ts'
import { jsonOf, sqlOf } from './sql.ts'

const EVENTS_PER_STATEMENT = 14 // 7 columns
const ENTITIES_PER_STATEMENT = 16 // 6 columns


const statements = new Map<string, string>()
const statement = (key: string, rows: number, head: string, row: string, tail = ''): string => {
  const id = `${key}:${rows}`
  let text = statements.get(id)
  if (text === undefined) {
    text = `${head} VALUES ${Array.from({ length: rows }, () => row).join(', ')}${tail}`
    statements.set(id, text)
  }
  return text
}

export const appendEvents = (db: ThreadDb, stored: StoredEvent[]): void => {
  const sql = sqlOf(db)
  for (let i = 0; i < stored.length; i += EVENTS_PER_STATEMENT) {
    const chunk = stored.slice(i, i + EVENTS_PER_STATEMENT)
    const values: SqlStorageValue[] = []
    for (const e of chunk) values.push(e.sequence, e.eventId, e.commandId, e.actor, e.event.type, jsonOf(e.event.payload), e.occurredAt)
    const text = statement(
      'events',
      chunk.length,
      'INSERT INTO "events" ("sequence", "event_id", "command_id", "actor", "type", "payload", "occurred_at")',
      '(?, ?, ?, ?, ?, ?, ?)',
    )
    sql.exec(text, ...values)
  }
}

type EntityRow = { kind: string; id: string; runId: string | null; status: string | null; payload: string; sequence: number }

/** Upserts each changed entity once, at its latest value in this commit. */
export const upsertEntities = (db: ThreadDb, stored: StoredEvent[]): void => {
  const latest = new Map<string, EntityRow>()
  for (const { event, sequence } of stored) {
    const kind = COLLECTION_OF[event.type]
    const entity = event.payload as { id: string; runId?: string | null; status?: string }
    latest.set(`${kind}\u0000${entity.id}`, {
      kind,
      id: entity.id,
      runId: kind === 'runs' ? entity.id : (entity.runId ?? null),
      status: entity.status ?? null,
      payload: jsonOf(entity),
      sequence,
    })
  }
  const rows = [...latest.values()]
  const sql = sqlOf(db)
  for (let i = 0; i < rows.length; i += ENTITIES_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ENTITIES_PER_STATEMENT)
    const values: SqlStorageValue[] = []
    for (const r of chunk) values.push(r.kind, r.id, r.runId, r.status, r.payload, r.sequence)
    const text = statement(
      'entities',
      chunk.length,
      'INSERT INTO "entities" ("kind", "id", "run_id", "status", "payload", "sequence")',
      '(?, ?, ?, ?, ?, ?)',
      ' ON CONFLICT ("kind", "id") DO UPDATE SET "run_id" = excluded."run_id", "status" = excluded."status", "payload" = excluded."payload", "sequence" = excluded."sequence"',
    )
    sql.exec(text, ...values)
  }
}
