/**
 * @module Stored diffs of checkpoints and runs: parts written as the runner sends them (a
 * resent part replaces itself), read back whole once every part is there.
 */
import type { DiffSubject } from '../../../src/contracts/index.ts'
import type { ThreadDb } from './open.ts'
import { sqlOf } from './sql.ts'

export type DiffPart = { subject: DiffSubject; id: string; part: number; parts: number; truncated: boolean; text: string }

export type StoredDiff = { text: string; truncated: boolean }

export const storeDiffPart = (db: ThreadDb, diff: DiffPart, now: number): void => {
  sqlOf(db).exec(
    'INSERT OR REPLACE INTO "diffs" ("subject", "id", "part", "parts", "truncated", "text", "stored_at") VALUES (?, ?, ?, ?, ?, ?, ?)',
    diff.subject,
    diff.id,
    diff.part,
    diff.parts,
    diff.truncated ? 1 : 0,
    diff.text,
    now,
  )
}

/** The whole diff, or null when it is unknown or some of its parts have not arrived. */
export const readDiff = (db: ThreadDb, subject: DiffSubject, id: string): StoredDiff | null => {
  const rows = sqlOf(db)
    .exec<{ part: number; parts: number; truncated: number; text: string }>(
      'SELECT "part", "parts", "truncated", "text" FROM "diffs" WHERE "subject" = ? AND "id" = ? ORDER BY "part"',
      subject,
      id,
    )
    .toArray()
  const first = rows[0]
  if (!first || rows.length !== first.parts || rows.some((row, i) => row.part !== i)) return null
  return { text: rows.map((row) => row.text).join(''), truncated: first.truncated === 1 }
}
