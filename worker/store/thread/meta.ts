/** @module Projection metadata: the schema version the rows were built with. */
import { eq } from 'drizzle-orm'
import { meta } from '../thread-schema.ts'
import type { ThreadDb } from './open.ts'

export const readMeta = (db: ThreadDb, key: string): string | null =>
  db.select({ value: meta.value }).from(meta).where(eq(meta.key, key)).get()?.value ?? null

export const writeMeta = (db: ThreadDb, key: string, value: string): void => {
  db.insert(meta).values({ key, value }).onConflictDoUpdate({ target: meta.key, set: { value } }).run()
}
