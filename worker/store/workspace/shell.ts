/** @module The shell: one summary per thread, newer sequences only. */
import { and, eq } from 'drizzle-orm'
import type { ThreadShell } from '../../../src/contracts/index.ts'
import { shell } from '../workspace-schema.ts'
import type { WorkspaceDb } from './open.ts'

/** Stores the summary unless an equal or newer one is there; returns whether it changed. */
export const applyShell = (db: WorkspaceDb, summary: ThreadShell, now: number): boolean => {
  const current = db.select({ sequence: shell.sequence }).from(shell).where(eq(shell.threadId, summary.id)).get()
  if (current && current.sequence >= summary.sequence) return false
  const row = { threadId: summary.id, sequence: summary.sequence, archived: summary.archived, deleted: summary.deleted, summary: JSON.stringify(summary), updatedAt: now }
  db.insert(shell).values(row).onConflictDoUpdate({ target: shell.threadId, set: row }).run()
  return true
}

export const listShell = (db: WorkspaceDb, archived: boolean): ThreadShell[] =>
  db
    .select({ summary: shell.summary })
    .from(shell)
    .where(and(eq(shell.archived, archived), eq(shell.deleted, false)))
    .all()
    .map((row) => JSON.parse(row.summary) as ThreadShell)
    .sort((a, b) => b.updatedAt - a.updatedAt)
