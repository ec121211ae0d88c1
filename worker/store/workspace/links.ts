/** @module Which threads want a runner link, and which epoch last linked each. */
import { and, eq, isNotNull, lt } from 'drizzle-orm'
import { links } from '../workspace-schema.ts'
import type { WorkspaceDb } from './open.ts'

export const requestLink = (db: WorkspaceDb, threadId: string, now: number): void => {
  db.insert(links).values({ threadId, epoch: null, pending: true, requestedAt: now }).onConflictDoUpdate({ target: links.threadId, set: { pending: true, requestedAt: now } }).run()
}

export const recordLink = (db: WorkspaceDb, threadId: string, epoch: number, now: number): void => {
  db.insert(links).values({ threadId, epoch, pending: false, requestedAt: now }).onConflictDoUpdate({ target: links.threadId, set: { epoch, pending: false } }).run()
}

export const pendingLinks = (db: WorkspaceDb): string[] => db.select({ threadId: links.threadId }).from(links).where(eq(links.pending, true)).all().map((r) => r.threadId)

/**
 * Threads last linked by an epoch older than `epoch`: they must be fenced. Each is handed out
 * once: the rows forget the old epoch, so a later restart does not fence them again.
 */
export const takeLinksBefore = (db: WorkspaceDb, epoch: number): Array<{ threadId: string; epoch: number }> => {
  const older = and(isNotNull(links.epoch), lt(links.epoch, epoch))
  const rows = db.select({ threadId: links.threadId, epoch: links.epoch }).from(links).where(older).all() as Array<{ threadId: string; epoch: number }>
  db.update(links).set({ epoch: null }).where(older).run()
  return rows
}
