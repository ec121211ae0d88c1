/** @module The outbox: effects committed with the events that caused them, until acknowledged. */
import { and, asc, eq, inArray, isNull, or } from 'drizzle-orm'
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

const SELECT_ROW =
  'SELECT "effect_id", "kind", "target", "process_bound", "status", "epoch", "attempts", "available_at", "payload", "created_sequence", "updated_at" FROM "outbox"'
type RawRow = {
  effect_id: string
  kind: string
  target: string
  process_bound: number
  status: OutboxRow['status']
  epoch: number | null
  attempts: number
  available_at: number
  payload: string
  created_sequence: number
  updated_at: number
}
const toRow = (r: RawRow): OutboxRow => ({
  effectId: r.effect_id,
  kind: r.kind,
  target: r.target,
  processBound: r.process_bound === 1,
  status: r.status,
  epoch: r.epoch,
  attempts: r.attempts,
  availableAt: r.available_at,
  payload: r.payload,
  createdSequence: r.created_sequence,
  updatedAt: r.updated_at,
})

export const findEffect = (db: ThreadDb, effectId: string): OutboxRow | undefined => {
  const row = sqlOf(db).exec<RawRow>(`${SELECT_ROW} WHERE "effect_id" = ?`, effectId).toArray()[0]
  return row ? toRow(row) : undefined
}

export const setEffectStatus = (db: ThreadDb, effectId: string, status: OutboxRow['status'], now: number): void => {
  sqlOf(db).exec('UPDATE "outbox" SET "status" = ?, "updated_at" = ? WHERE "effect_id" = ?', status, now, effectId)
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

/** Whether a replay-safe runner effect is still waiting for its acknowledgement (any epoch). */
export const runnerEffectsPending = (db: ThreadDb): boolean =>
  sqlOf(db)
    .exec(`SELECT 1 FROM "outbox" WHERE "target" = 'runner' AND "process_bound" = 0 AND "status" IN ('pending', 'delivered', 'accepted') LIMIT 1`)
    .toArray().length > 0

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

// The object-effect queries run after every commit (the alarm's next time) and every
// delivery round: plain SQL, like the commit's own statements (sql.ts).
const OBJECT_TARGETS = `"target" IN ('workspace', 'thread') AND "status" = 'pending'`

/** Effects for other objects that are due for (re)delivery. */
export const dueObjectEffects = (db: ThreadDb, now: number): OutboxRow[] =>
  sqlOf(db)
    .exec<RawRow>(`${SELECT_ROW} WHERE ${OBJECT_TARGETS} AND "available_at" <= ? ORDER BY "created_sequence" LIMIT 50`, now)
    .toArray()
    .map(toRow)

export const nextObjectEffectAt = (db: ThreadDb): number | null =>
  sqlOf(db).exec<{ at: number | null }>(`SELECT min("available_at") AS "at" FROM "outbox" WHERE ${OBJECT_TARGETS}`).one().at ?? null

export const retryLater = (db: ThreadDb, row: OutboxRow, now: number): void => {
  const delay = Math.min(60_000, 500 * 2 ** Math.min(row.attempts, 7))
  sqlOf(db).exec('UPDATE "outbox" SET "attempts" = ?, "available_at" = ?, "updated_at" = ? WHERE "effect_id" = ?', row.attempts + 1, now + delay, now, row.effectId)
}

/** Acknowledges a delivered row unless a later commit rewrote it meanwhile (the shell row is reused). */
export const ackDelivered = (db: ThreadDb, row: OutboxRow, status: 'acked' | 'failed', now: number): void => {
  sqlOf(db).exec(
    `UPDATE "outbox" SET "status" = ?, "updated_at" = ? WHERE "effect_id" = ? AND "payload" = ? AND "status" = 'pending'`,
    status,
    now,
    row.effectId,
    row.payload,
  )
}
