/** @module The idempotent producer's memory: the last committed batch per runner epoch. */
import type { ThreadDb } from './open.ts'
import { sqlOf } from './sql.ts'

export const lastBatch = (db: ThreadDb, epoch: number): number =>
  sqlOf(db).exec<{ last_seq: number }>('SELECT "last_seq" FROM "producers" WHERE "epoch" = ?', epoch).toArray()[0]?.last_seq ?? 0

export const recordBatch = (db: ThreadDb, epoch: number, runnerId: string, seq: number, now: number): void => {
  sqlOf(db).exec(
    'INSERT INTO "producers" ("epoch", "runner_id", "last_seq", "updated_at") VALUES (?, ?, ?, ?) ON CONFLICT ("epoch") DO UPDATE SET "last_seq" = excluded."last_seq", "updated_at" = excluded."updated_at"',
    epoch,
    runnerId,
    seq,
    now,
  )
}

/** When the last batch of `epoch` was committed (the runner lease counts from it). */
export const lastBatchAt = (db: ThreadDb, epoch: number): number | undefined =>
  sqlOf(db).exec<{ updated_at: number }>('SELECT "updated_at" FROM "producers" WHERE "epoch" = ?', epoch).toArray()[0]?.updated_at
