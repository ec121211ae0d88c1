/** @module The tables of one thread's SQLite database (DESIGN.md, "ThreadObject"). */
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/**
 * The log, one row per commit: `events` is the JSON array of the commit's domain events, whose
 * sequences run from `first_sequence` to `last_sequence` (1..n over all rows, no gaps). One
 * row per commit rather than per event is what makes a runner batch one write (BENCHMARKS.md).
 * Migration 0004 keeps a read-only view `events` with one row per event (tests and ad-hoc SQL).
 */
export const log = sqliteTable('log', {
  firstSequence: integer('first_sequence').primaryKey(),
  lastSequence: integer('last_sequence').notNull(),
  commandId: text('command_id'),
  actor: text('actor').notNull(),
  occurredAt: integer('occurred_at').notNull(),
  events: text('events').notNull(),
})

/** The first result of each command id: a repeat returns it and does nothing else. */
export const receipts = sqliteTable('receipts', {
  commandId: text('command_id').primaryKey(),
  commandType: text('command_type').notNull(),
  sequence: integer('sequence').notNull(),
  error: text('error'),
  createdAt: integer('created_at').notNull(),
})

/** Projection rows: each entity's latest JSON, plus the columns that are queried. */
export const entities = sqliteTable(
  'entities',
  {
    kind: text('kind').notNull(),
    id: text('id').notNull(),
    runId: text('run_id'),
    status: text('status'),
    payload: text('payload').notNull(),
    sequence: integer('sequence').notNull(),
  },
  (table) => [primaryKey({ columns: [table.kind, table.id] })],
)

/** Small facts about the projection (its schema version). */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
})

export const outbox = sqliteTable('outbox', {
  effectId: text('effect_id').primaryKey(),
  kind: text('kind').notNull(),
  target: text('target').notNull(),
  processBound: integer('process_bound', { mode: 'boolean' }).notNull(),
  status: text('status', { enum: ['pending', 'delivered', 'accepted', 'acked', 'failed', 'cancelled'] }).notNull(),
  epoch: integer('epoch'),
  attempts: integer('attempts').notNull(),
  availableAt: integer('available_at').notNull(),
  payload: text('payload').notNull(),
  createdSequence: integer('created_sequence').notNull(),
  updatedAt: integer('updated_at').notNull(),
})

/** The idempotent producer: the highest batch committed per runner epoch. */
export const producers = sqliteTable('producers', {
  epoch: integer('epoch').primaryKey(),
  runnerId: text('runner_id').notNull(),
  lastSeq: integer('last_seq').notNull(),
  updatedAt: integer('updated_at').notNull(),
})

/** Text still streaming, so a late subscriber's snapshot includes it. */
export const streamBuffer = sqliteTable('stream_buffer', {
  itemId: text('item_id').primaryKey(),
  text: text('text').notNull(),
  updatedAt: integer('updated_at').notNull(),
})

/**
 * Unified diffs of checkpoints and runs, sent by the runner in parts (each under the 2 MB row
 * limit). Served by the diff routes; not part of the log, so not in replays or projections.
 */
export const diffs = sqliteTable(
  'diffs',
  {
    subject: text('subject', { enum: ['checkpoint', 'run'] }).notNull(),
    id: text('id').notNull(),
    part: integer('part').notNull(),
    parts: integer('parts').notNull(),
    truncated: integer('truncated', { mode: 'boolean' }).notNull(),
    text: text('text').notNull(),
    storedAt: integer('stored_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.subject, table.id, table.part] })],
)
