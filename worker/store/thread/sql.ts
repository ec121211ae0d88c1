/**
 * @module Plain SQL on the storage drizzle was opened over, for the statements every commit
 * runs: drizzle's query builder was a large share of a commit's CPU (bench/profile.ts), while
 * the tables and migrations stay drizzle's (thread-schema.ts).
 */
import type { ThreadDb } from './open.ts'

/** The (possibly metered) SQL storage behind a drizzle database. */
export const sqlOf = (db: ThreadDb): SqlStorage => (db as unknown as { $client: DurableObjectStorage }).$client.sql

/** JSON text of an entity, serialized once per commit however many writes need it. */
const texts = new WeakMap<object, string>()
export const jsonOf = (value: object): string => {
  let text = texts.get(value)
  if (text === undefined) {
    text = JSON.stringify(value)
    texts.set(value, text)
  }
  return text
}
