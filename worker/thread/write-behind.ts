/**
 * @module Projection rows written behind the log. A commit's only durable per-event write is
 * its log row; each entity it changed is remembered here and upserted once per flush (a second
 * after a commit, coalescing a burst, or at once when the log runs far ahead), in one
 * transaction with the sequence the rows then cover. What was not flushed when the object went
 * away is folded from the log after that sequence on the next wake (core.ts, `reload`).
 */
import type { StoredEvent } from '../../src/contracts/index.ts'
import { COLLECTION_OF } from '../../src/domain/thread/index.ts'
import { upsertEntities } from '../store/thread/append.ts'
import { writeMeta } from '../store/thread/meta.ts'
import type { ThreadDb } from '../store/thread/open.ts'
import { log } from '../log.ts'

/** How long changed projection rows wait to be written, coalescing the commits of a burst. */
export const PROJECTION_FLUSH_MS = 1_000
/** A log tail this long past the projection rows is flushed at once (it bounds a wake's replay). */
export const PROJECTION_MAX_TAIL = 20_000
/** The meta key holding the sequence the projection rows cover. */
export const PROJECTED_KEY = 'projected_sequence'

export class ProjectionWriteBehind {
  /** The sequence the projection rows cover. */
  projectedSequence = 0
  /** The latest event of each entity changed since the rows were last written, by collection and id. */
  private readonly pending = new Map<string, Map<string, StoredEvent>>()
  private timer: ReturnType<typeof setTimeout> | null = null
  private readonly storage: DurableObjectStorage
  private readonly db: () => ThreadDb
  private readonly sequence: () => number

  constructor(storage: DurableObjectStorage, db: () => ThreadDb, sequence: () => number) {
    this.storage = storage
    this.db = db
    this.sequence = sequence
  }

  /** Forgets what was pending: the rows cover `projected`, the log after it is marked again. */
  reset(projected: number): void {
    this.pending.clear()
    this.projectedSequence = projected
  }

  /** Remembers the entities these committed events changed, and schedules their rows. */
  mark(stored: StoredEvent[]): void {
    for (const s of stored) {
      const kind = COLLECTION_OF[s.event.type]
      let latest = this.pending.get(kind)
      if (!latest) this.pending.set(kind, (latest = new Map()))
      latest.set((s.event.payload as { id: string }).id, s)
    }
    if (stored.length > 0) this.soon()
  }

  /** Writes the changed rows and the sequence they now cover. */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer)
      this.timer = null
    }
    const sequence = this.sequence()
    if (this.projectedSequence === sequence) return
    const stored = [...this.pending.values()].flatMap((latest) => [...latest.values()])
    const db = this.db()
    this.storage.transactionSync(() => {
      upsertEntities(db, stored)
      writeMeta(db, PROJECTED_KEY, String(sequence))
    })
    this.pending.clear()
    this.projectedSequence = sequence
  }

  private soon(): void {
    if (this.sequence() - this.projectedSequence >= PROJECTION_MAX_TAIL) return this.tryFlush()
    this.timer ??= setTimeout(() => {
      this.timer = null
      this.tryFlush()
    }, PROJECTION_FLUSH_MS)
  }

  /** A failed flush loses nothing (the log holds it all): the next flush or wake writes the rows. */
  private tryFlush(): void {
    try {
      this.flush()
    } catch (cause) {
      log.error('projection flush failed', { cause })
    }
  }
}
