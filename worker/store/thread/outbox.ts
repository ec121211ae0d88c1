/** @module The outbox: effects committed with the events that caused them, until acknowledged. */
import { and, asc, eq, inArray, isNull, lte, or } from 'drizzle-orm'
import { EFFECT_ROUTING, type Effect } from '../../../src/contracts/index.ts'
import { outbox } from '../thread-schema.ts'
import type { ThreadDb } from './open.ts'
import { sqlOf } from './sql.ts'

export type OutboxRow = typeof outbox.$inferSelect

const INSERT_EFFECT =
  'INSERT INTO "outbox" ("effect_id", "kind", "target", "process_bound", "status", "epoch", "attempts", "available_at", "payload", "created_sequence", "updated_at") ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT ("effect_id") DO UPDATE SET "payload" = excluded."payload", "status" = \'pending\', "available_at" = excluded."available_at", "updated_at" = excluded."updated_at"'

export const insertEffects = (db: ThreadDb, effects: Effect[], sequence: number, now: number, linkEpoch: number | null): void => {
  const sql = sqlOf(db)
  for (const effect of effects) {
    const route = EFFECT_ROUTING[effect.body.kind]
    const toRunnerNow = route.target === 'runner' && linkEpoch !== null
    sql.exec(
      INSERT_EFFECT,
      effect.effectId,
      effect.body.kind,
      route.target,
      route.processBound ? 1 : 0,
      toRunnerNow ? 'delivered' : 'pending',
      toRunnerNow ? linkEpoch : null,
      toRunnerNow ? 1 : 0,
      now,
      JSON.stringify(effect),
      sequence,
      now,
    )
  }
}

export const findEffect = (db: ThreadDb, effectId: string): OutboxRow | undefined =>
  db.select().from(outbox).where(eq(outbox.effectId, effectId)).get()

export const setEffectStatus = (db: ThreadDb, effectId: string, status: OutboxRow['status'], now: number): void => {
  db.update(outbox).set({ status, updatedAt: now }).where(eq(outbox.effectId, effectId)).run()
}

/** Effects a runner link should be sent on (re)connect, oldest first. */
export const runnerEffectsToSend = (db: ThreadDb, epoch: number): OutboxRow[] =>
  db
    .select()
    .from(outbox)
    .where(
      and(
        eq(outbox.target, 'runner'),
        or(
          eq(outbox.status, 'pending'),
          and(inArray(outbox.status, ['delivered', 'accepted']), or(eq(outbox.processBound, false), eq(outbox.epoch, epoch))),
        ),
      ),
    )
    .orderBy(asc(outbox.createdSequence), asc(outbox.effectId))
    .all()

export const markDelivered = (db: ThreadDb, effectIds: string[], epoch: number, now: number): void => {
  if (effectIds.length === 0) return
  for (let i = 0; i < effectIds.length; i += 90) {
    db.update(outbox).set({ status: 'delivered', epoch, updatedAt: now }).where(inArray(outbox.effectId, effectIds.slice(i, i + 90))).run()
  }
}

/** Process-bound effects die with the runner process that took them (or would have). */
export const cancelProcessBound = (db: ThreadDb, epoch: number, now: number): void => {
  db.update(outbox)
    .set({ status: 'cancelled', updatedAt: now })
    .where(
      and(
        eq(outbox.processBound, true),
        inArray(outbox.status, ['pending', 'delivered', 'accepted']),
        or(eq(outbox.epoch, epoch), isNull(outbox.epoch)),
      ),
    )
    .run()
}

/** Effects for other objects that are due for (re)delivery. */
export const dueObjectEffects = (db: ThreadDb, now: number): OutboxRow[] =>
  db
    .select()
    .from(outbox)
    .where(and(inArray(outbox.target, ['workspace', 'thread']), eq(outbox.status, 'pending'), lte(outbox.availableAt, now)))
    .orderBy(asc(outbox.createdSequence))
    .limit(50)
    .all()

export const nextObjectEffectAt = (db: ThreadDb): number | null =>
  db
    .select({ at: outbox.availableAt })
    .from(outbox)
    .where(and(inArray(outbox.target, ['workspace', 'thread']), eq(outbox.status, 'pending')))
    .orderBy(asc(outbox.availableAt))
    .limit(1)
    .get()?.at ?? null

export const retryLater = (db: ThreadDb, row: OutboxRow, now: number): void => {
  const delay = Math.min(60_000, 500 * 2 ** Math.min(row.attempts, 7))
  db.update(outbox).set({ attempts: row.attempts + 1, availableAt: now + delay, updatedAt: now }).where(eq(outbox.effectId, row.effectId)).run()
}

/** Acknowledges a delivered row unless a later commit rewrote it meanwhile (the shell row is reused). */
export const ackDelivered = (db: ThreadDb, row: OutboxRow, status: 'acked' | 'failed', now: number): void => {
  db.update(outbox)
    .set({ status, updatedAt: now })
    .where(and(eq(outbox.effectId, row.effectId), eq(outbox.payload, row.payload), eq(outbox.status, 'pending')))
    .run()
}
