/**
 * @module A view of Durable Object storage that counts SQLite rows written, for the benchmark's
 * "rows written per streamed reply". Counting is off unless asked for, so it costs nothing.
 */

export type SqlMeter = { enabled: boolean; cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] }

export const createMeter = (): SqlMeter => ({ enabled: false, cursors: [] })

/** Rows written by the statements seen since the meter was last reset. */
export const rowsWritten = (meter: SqlMeter): number => meter.cursors.reduce((sum, cursor) => sum + cursor.rowsWritten, 0)

/** What drizzle's durable-sqlite driver needs of `ctx.storage`, with `sql.exec` metered. */
export const meteredStorage = (storage: DurableObjectStorage, meter: SqlMeter): DurableObjectStorage => {
  const sql = storage.sql
  const exec = (query: string, ...bindings: unknown[]) => {
    const cursor = sql.exec(query, ...bindings)
    if (meter.enabled) meter.cursors.push(cursor)
    return cursor
  }
  return {
    sql: { exec, get databaseSize() { return sql.databaseSize } },
    transactionSync: <T>(fn: () => T): T => storage.transactionSync(fn),
  } as unknown as DurableObjectStorage
}
