/** @module Command receipts: the first result of a command id. */
import { eq } from 'drizzle-orm'
import type { LoomError } from '../../../src/contracts/index.ts'
import { receipts } from '../thread-schema.ts'
import type { ThreadDb } from './open.ts'

export type Receipt = { sequence: number; error: LoomError | null }

export const findReceipt = (db: ThreadDb, commandId: string): Receipt | null => {
  const row = db.select().from(receipts).where(eq(receipts.commandId, commandId)).get()
  return row ? { sequence: row.sequence, error: row.error ? (JSON.parse(row.error) as LoomError) : null } : null
}

export const writeReceipt = (db: ThreadDb, commandId: string, commandType: string, receipt: Receipt, now: number): void => {
  db.insert(receipts)
    .values({ commandId, commandType, sequence: receipt.sequence, error: receipt.error ? JSON.stringify(receipt.error) : null, createdAt: now })
    .run()
}
