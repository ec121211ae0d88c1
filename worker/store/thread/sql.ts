/**
 * @module Plain SQL on the storage drizzle was opened over, for the statements every commit
 * runs: drizzle's query builder was a large share of a commit's CPU (bench/profile.ts), while
 * the tables and migrations stay drizzle's (thread-schema.ts).
 */
import type { ThreadDb } from './open.ts'

/** The (possibly metered) SQL storage behind a drizzle database. */
export const sqlOf = (db: ThreadDb): SqlStorage => (db as unknown as { $client: DurableObjectStorage }).$client.sql

/**
 * JSON text of the entities committed since their projection rows were last written: a commit's
 * log row and the rows written behind it (worker/thread/write-behind.ts) share one
 * serialization. Writing the row lets the text go; kept for as long as an entity is current,
 * the texts tripled a thread's heap (bench/memory.ts) against the isolate's 128 MB.
 */
const texts = new WeakMap<object, string>()

/** Serializes a committed entity, keeping the text until its projection row is written. */
export const jsonForCommit = (entity: object): string => {
  let text = texts.get(entity)
  if (text === undefined) {
    text = JSON.stringify(entity)
    texts.set(entity, text)
  }
  return text
}

/** The text an entity was committed as if it is still kept, else a fresh serialization that is not kept. */
export const jsonForRead = (entity: object): string => texts.get(entity) ?? JSON.stringify(entity)

/** Lets an entity's text go once its projection row holds it. */
export const releaseJson = (entity: object): void => {
  texts.delete(entity)
}
