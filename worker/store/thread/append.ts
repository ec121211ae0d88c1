/**
 * @module The writes of the log and the projection: a commit's events as one log row (in the
 * commit's transaction), and projection rows (written behind, see worker/thread/core.ts),
 * chunked under workerd's 100 bound parameters.
 *
 * Plain SQL with cached text rather than drizzle builders: building a multi-row insert walked
 * every bound value through drizzle's query builder and was about half of a runner batch's CPU
 * (bench/profile.ts). Same tables, columns and conflict handling as thread-schema.ts.
 */
import type { StoredEvent } from '../../../src/contracts/index.ts'
import { COLLECTION_OF } from '../../../src/domain/thread/index.ts'
import type { ThreadDb } from './open.ts'
import { jsonForCommit, releaseJson, sqlOf } from './sql.ts'

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

/**
 * Characters of event JSON per log row. SQLite rows are capped at 2 MB and UTF-8 may take three
 * bytes a character, so a large commit (a batch of long items) is split into rows of contiguous
 * sequences; an event larger than this alone still gets a row of its own.
 */
export const LOG_ROW_CHARS = 512 * 1024

/**
 * Appends a commit's events as one log row, or several when they are large. The array's text is
 * assembled from each payload's JSON (serialized once, shared with the projection rows) rather
 * than stringified again.
 */
export const appendEvents = (db: ThreadDb, stored: StoredEvent[]): void => {
  const first = stored[0]
  if (!first) return
  let parts: string[] = []
  let chars = 0
  let from = first.sequence
  const flush = () => {
    if (parts.length === 0) return
    sqlOf(db).exec(
      'INSERT INTO "log" ("first_sequence", "last_sequence", "command_id", "actor", "occurred_at", "events") VALUES (?, ?, ?, ?, ?, ?)',
      from,
      from + parts.length - 1,
      first.commandId,
      first.actor,
      first.occurredAt,
      `[${parts.join(',')}]`,
    )
    from += parts.length
    parts = []
    chars = 0
  }
  for (const { event } of stored) {
    const part = `{"type":${JSON.stringify(event.type)},"payload":${jsonForCommit(event.payload)}}`
    if (chars > 0 && chars + part.length > LOG_ROW_CHARS) flush()
    parts.push(part)
    chars += part.length
  }
  flush()
}

type Entity = { id: string; runId?: string | null; status?: string }

/** Upserts each entity these events changed once, at its latest value, then lets its kept JSON go. */
export const upsertEntities = (db: ThreadDb, stored: StoredEvent[]): void => {
  const latest = new Map<string, { kind: string; entity: Entity; sequence: number }>()
  for (const { event, sequence } of stored) {
    const kind = COLLECTION_OF[event.type]
    const entity = event.payload as Entity
    latest.set(`${kind}\u0000${entity.id}`, { kind, entity, sequence })
  }
  const rows = [...latest.values()]
  const sql = sqlOf(db)
  for (let i = 0; i < rows.length; i += ENTITIES_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ENTITIES_PER_STATEMENT)
    const values: SqlStorageValue[] = []
    for (const { kind, entity, sequence } of chunk) {
      values.push(kind, entity.id, kind === 'runs' ? entity.id : (entity.runId ?? null), entity.status ?? null, jsonForCommit(entity), sequence)
    }
    const text = statement(
      'entities',
      chunk.length,
      'INSERT INTO "entities" ("kind", "id", "run_id", "status", "payload", "sequence")',
      '(?, ?, ?, ?, ?, ?)',
      ' ON CONFLICT ("kind", "id") DO UPDATE SET "run_id" = excluded."run_id", "status" = excluded."status", "payload" = excluded."payload", "sequence" = excluded."sequence"',
    )
    sql.exec(text, ...values)
  }
  for (const { entity } of rows) releaseJson(entity)
}
