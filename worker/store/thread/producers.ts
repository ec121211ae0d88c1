/** @module The idempotent producer's memory: the last committed batch per runner epoch. */
import { eq } from 'drizzle-orm'
import { producers } from '../thread-schema.ts'
import type { ThreadDb } from './open.ts'

export const lastBatch = (db: ThreadDb, epoch: number): number =>
  db.select({ lastSeq: producers.lastSeq }).from(producers).where(eq(producers.epoch, epoch)).get()?.lastSeq ?? 0

export const recordBatch = (db: ThreadDb, epoch: number, runnerId: string, seq: number, now: number): void => {
  db.insert(producers)
    .values({ epoch, runnerId, lastSeq: seq, updatedAt: now })
    .onConflictDoUpdate({ target: producers.epoch, set: { lastSeq: seq, updatedAt: now } })
    .run()
}
