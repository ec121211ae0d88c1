/** @module The tables of one workspace's SQLite database: the shell and runner presence. */
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/** One summary per thread, tagged with the thread sequence it reflects. */
export const shell = sqliteTable('shell', {
  threadId: text('thread_id').primaryKey(),
  sequence: integer('sequence').notNull(),
  archived: integer('archived', { mode: 'boolean' }).notNull(),
  deleted: integer('deleted', { mode: 'boolean' }).notNull(),
  summary: text('summary').notNull(),
  updatedAt: integer('updated_at').notNull(),
})

/** Each runner process that connected, by the epoch it was issued. */
export const runners = sqliteTable('runners', {
  epoch: integer('epoch').primaryKey(),
  runnerId: text('runner_id').notNull(),
  connectedAt: integer('connected_at').notNull(),
  fencedAt: integer('fenced_at'),
  providers: text('providers').notNull(),
})

/** Threads that asked for a runner link (`pending`), and which epoch last linked each. */
export const links = sqliteTable('links', {
  threadId: text('thread_id').primaryKey(),
  epoch: integer('epoch'),
  pending: integer('pending', { mode: 'boolean' }).notNull(),
  requestedAt: integer('requested_at').notNull(),
})

export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
})
