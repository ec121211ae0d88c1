/** @module The streaming-text buffer: text that deltas delivered and no item event has yet. */
import { eq } from 'drizzle-orm'
import { streamBuffer } from '../thread-schema.ts'
import type { ThreadDb } from './open.ts'

export const loadBuffer = (db: ThreadDb): Map<string, string> =>
  new Map(db.select().from(streamBuffer).all().map((row) => [row.itemId, row.text]))

export const writeBuffer = (db: ThreadDb, itemId: string, text: string, now: number): void => {
  db.insert(streamBuffer).values({ itemId, text, updatedAt: now }).onConflictDoUpdate({ target: streamBuffer.itemId, set: { text, updatedAt: now } }).run()
}

export const dropBuffer = (db: ThreadDb, itemId: string): void => {
  db.delete(streamBuffer).where(eq(streamBuffer.itemId, itemId)).run()
}
