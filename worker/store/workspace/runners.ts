/** @module Runner epochs: one per runner process, the newest is the only current one. */
import { desc, eq, isNull, lt } from 'drizzle-orm'
import type { ProviderStatus } from '../../../src/contracts/index.ts'
import { runners } from '../workspace-schema.ts'
import type { WorkspaceDb } from './open.ts'

export type RunnerRow = typeof runners.$inferSelect

export const currentRunner = (db: WorkspaceDb): RunnerRow | undefined => db.select().from(runners).orderBy(desc(runners.epoch)).limit(1).get()

/** Issues the next epoch to a new runner process and fences every older one. */
export const issueEpoch = (db: WorkspaceDb, runnerId: string, now: number): number => {
  const epoch = (currentRunner(db)?.epoch ?? 0) + 1
  db.update(runners).set({ fencedAt: now }).where(isNull(runners.fencedAt)).run()
  db.insert(runners).values({ epoch, runnerId, connectedAt: now, fencedAt: null, providers: '[]' }).run()
  return epoch
}

export const setProviders = (db: WorkspaceDb, epoch: number, providers: ProviderStatus[]): void => {
  db.update(runners).set({ providers: JSON.stringify(providers) }).where(eq(runners.epoch, epoch)).run()
}

export const olderEpochs = (db: WorkspaceDb, epoch: number): number[] =>
  db.select({ epoch: runners.epoch }).from(runners).where(lt(runners.epoch, epoch)).all().map((r) => r.epoch)
