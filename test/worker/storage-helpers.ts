/** @module Reading a thread object's SQLite directly (inside its object), for assertions on what was written. */
import { env, runInDurableObject } from 'cloudflare:test'

export const threadStub = (threadId: string) => env.THREADS.get(env.THREADS.idFromName(threadId))

/** Runs `query` inside the thread's object and returns its rows. */
export const sqlRows = <T = Record<string, SqlStorageValue>>(threadId: string, query: string, ...bindings: unknown[]): Promise<T[]> =>
  runInDurableObject(threadStub(threadId), (_instance, state) => state.storage.sql.exec(query, ...bindings).toArray() as T[])

export type OutboxRow = { effect_id: string; kind: string; target: string; status: string; epoch: number | null; attempts: number; created_sequence: number; payload: string }

export const outboxRows = (threadId: string, kind?: string): Promise<OutboxRow[]> =>
  kind === undefined
    ? sqlRows<OutboxRow>(threadId, 'SELECT effect_id, kind, target, status, epoch, attempts, created_sequence, payload FROM outbox ORDER BY created_sequence, effect_id')
    : sqlRows<OutboxRow>(threadId, 'SELECT effect_id, kind, target, status, epoch, attempts, created_sequence, payload FROM outbox WHERE kind = ? ORDER BY created_sequence, effect_id', kind)

/**
 * What a command may write: the log, the receipts and the outbox rows (without the delivery
 * bookkeeping, which the object updates on its own after a commit).
 */
export const writtenRows = async (threadId: string) => {
  const [events, receipts, outbox] = await Promise.all([
    sqlRows(threadId, 'SELECT * FROM events ORDER BY sequence'),
    sqlRows(threadId, 'SELECT * FROM receipts ORDER BY command_id'),
    sqlRows(threadId, 'SELECT effect_id, kind, target, payload, created_sequence FROM outbox ORDER BY effect_id'),
  ])
  return { events, receipts, outbox }
}

export const rowCounts = async (threadId: string) => {
  const rows = await writtenRows(threadId)
  return { events: rows.events.length, receipts: rows.receipts.length, outbox: rows.outbox.length }
}
