/** @module Rebuilding the projection rows from the log, when their schema version changed. */
import { entities } from '../thread-schema.ts'
import { fold, type ThreadState } from '../../../src/domain/thread/index.ts'
import { allEvents } from './read.ts'
import { upsertEntities } from './append.ts'
import type { ThreadDb } from './open.ts'

export const rebuildProjection = (db: ThreadDb, threadId: string | null): ThreadState => {
  const stored = threadId === null ? [] : [...allEvents(db, threadId)]
  db.delete(entities).run()
  upsertEntities(db, stored)
  return fold(stored.map((s) => s.event))
}
