/** @module Command receipts: the first result of a command id. */
import type { LoomError } from '../../../src/contracts/index.ts'
import type { ThreadDb } from './open.ts'
import { sqlOf } from './sql.ts'

export type Receipt = { sequence: number; error: LoomError | null }

export const findReceipt = (db: ThreadDb, commandId: string): Receipt | null => {
  const row = sqlOf(db).exec<{ sequence: number; error: string | null }>('SELECT "sequence", "error" FROM "receipts" WHERE "command_id" = ?', commandId).toArray()[0]
  return row ? { sequence: row.sequence, error: row.error ? (JSON.parse(row.error) as LoomError) : null } : null
}

export const writeReceipt = (db: ThreadDb, commandId: string, commandType: string, receipt: Receipt, now: number): void => {
  sqlOf(db).exec(
    'INSERT INTO "receipts" ("command_id", "command_type", "sequence", "error", "created_at") VALUES (?, ?, ?, ?, ?)',
    commandId,
    commandType,
    receipt.sequence,
    receipt.error ? JSON.stringify(receipt.error) : null,
    now,
  )
}
