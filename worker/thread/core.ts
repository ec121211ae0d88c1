/**
 * @module The thread's single writer: state loaded from its projection rows plus the log's
 * tail, and `commit`, which appends the events as one log row and writes receipt and outbox
 * rows in one `transactionSync`. Only after it returns does anything leave the object. The
 * projection rows follow within a second (write-behind.ts).
 */
import {
  PROJECTION_SCHEMA_VERSION,
  deriveId,
  type DomainEvent,
  type Effect,
  type EffectBody,
  type LoomError,
  type StoredEvent,
  type ThreadShell,
} from '../../src/contracts/index.ts'
import { evolve, shellChanged, toShell, type ThreadState } from '../../src/domain/thread/index.ts'
import { openThreadDb, type ThreadDb } from '../store/thread/open.ts'
import { appendEvents } from '../store/thread/append.ts'
import { PROJECTED_KEY, ProjectionWriteBehind } from './write-behind.ts'
import { lastSequence, loadState, readEvents } from '../store/thread/read.ts'
import { readMeta, writeMeta } from '../store/thread/meta.ts'
import { rebuildProjection } from '../store/thread/rebuild.ts'
import { loadBuffer } from '../store/thread/buffer.ts'
import { insertEffects } from '../store/thread/outbox.ts'
import { writeReceipt } from '../store/thread/receipts.ts'
import { createMeter, type SqlMeter } from '../store/metered-sql.ts'

export type CommitInput = {
  events: DomainEvent[]
  effects: EffectBody[]
  commandId: string | null
  commandType?: string
  actor: string
  now: number
  /** The runner epoch whose link is up: runner effects go to it as part of the commit. */
  linkEpoch: number | null
  /** More writes that belong to the same transaction (producer row, outbox status...). */
  also?: (db: ThreadDb) => void
}

/** The shell summary is pushed to the workspace through the outbox under this one id. */
export const shellEffectId = (threadId: string) => `shell:${threadId}` as Effect['effectId']

export type Committed = { stored: StoredEvent[]; effects: Effect[] }

export class ThreadCore {
  readonly storage: DurableObjectStorage
  readonly meter: SqlMeter
  db!: ThreadDb
  state!: ThreadState
  sequence = 0
  buffer = new Map<string, string>()
  /** The last summary committed for the workspace; pushes happen only when it changes. */
  lastShell: ThreadShell | null = null
  /** Projection rows, written behind the log (write-behind.ts). */
  readonly projection: ProjectionWriteBehind

  constructor(storage: DurableObjectStorage) {
    this.storage = storage
    this.meter = createMeter()
    this.projection = new ProjectionWriteBehind(storage, () => this.db, () => this.sequence)
  }

  async load(): Promise<void> {
    this.db = await openThreadDb(this.storage, this.meter)
    this.reload()
  }

  /** Reads state back from SQLite (rows, then the log's tail); also the recovery after a failed commit. */
  reload(): void {
    const db = this.db
    const threadId = readMeta(db, 'thread_id')
    this.sequence = lastSequence(db)
    if (readMeta(db, 'projection_version') !== String(PROJECTION_SCHEMA_VERSION)) {
      this.state = this.storage.transactionSync(() => {
        const state = rebuildProjection(db, threadId)
        writeMeta(db, 'projection_version', String(PROJECTION_SCHEMA_VERSION))
        writeMeta(db, PROJECTED_KEY, String(this.sequence))
        return state
      })
      this.projection.reset(this.sequence)
    } else {
      this.state = loadState(db)
      // Rows written before write-behind existed cover the whole log.
      this.projection.reset(Number(readMeta(db, PROJECTED_KEY) ?? this.sequence))
      if (threadId !== null) this.replayTail(threadId)
    }
    this.buffer = loadBuffer(db)
    this.lastShell = this.state.thread ? toShell(this.state, this.sequence) : null
  }

  /** Folds the log the projection rows do not cover yet into the state, and marks it for them. */
  private replayTail(threadId: string): void {
    let after = this.projection.projectedSequence
    while (after < this.sequence) {
      const page = readEvents(this.db, threadId, after, 1000)
      if (page.length === 0) break
      for (const s of page) evolve(this.state, s.event)
      this.projection.mark(page)
      after = page[page.length - 1]!.sequence
    }
  }

  get threadId(): string | null {
    return this.state.thread?.id ?? null
  }

  commit(input: CommitInput): Committed {
    const threadId = this.threadId ?? (input.events[0]?.payload as { id?: string } | undefined)?.id
    if (!threadId) throw new Error('commit without a thread')
    if (input.events.length === 0 && input.effects.length > 0) throw new Error('effects need the events that cause them')
    const base = this.sequence
    const stored: StoredEvent[] = input.events.map((event, i) => ({
      sequence: base + i + 1,
      eventId: deriveId.event(threadId, base + i + 1),
      threadId: threadId as StoredEvent['threadId'],
      commandId: (input.commandId ?? null) as StoredEvent['commandId'],
      actor: input.actor,
      occurredAt: input.now,
      event,
    }))
    const last = base + stored.length
    const effects: Effect[] = input.effects.map((body, i) => ({
      effectId: deriveId.effect(threadId, last, i),
      threadId: threadId as Effect['threadId'],
      body,
    }))
    // Fold first so the new shell summary can be written in the same transaction; a failed
    // write reloads the state from SQLite, which stays the truth.
    for (const s of stored) evolve(this.state, s.event)
    const shell = stored.length > 0 ? toShell(this.state, last) : null
    const shellEffect: Effect[] =
      shell && shellChanged(this.lastShell, shell)
        ? [{ effectId: shellEffectId(threadId), threadId: threadId as Effect['threadId'], body: { kind: 'shell.push', shell } }]
        : []
    const db = this.db
    try {
      this.storage.transactionSync(() => {
        if (base === 0 && stored.length > 0) {
          writeMeta(db, 'thread_id', threadId)
          writeMeta(db, 'projection_version', String(PROJECTION_SCHEMA_VERSION))
          writeMeta(db, PROJECTED_KEY, '0')
        }
        appendEvents(db, stored)
        if (input.commandId !== null && input.commandType) {
          writeReceipt(db, input.commandId, input.commandType, { sequence: last, error: null }, input.now)
        }
        insertEffects(db, [...effects, ...shellEffect], last, input.now, input.linkEpoch)
        input.also?.(db)
      })
    } catch (cause) {
      // The state may hold changes a batch folded in before the commit; SQLite is the truth.
      this.reload()
      throw cause
    }
    this.sequence = last
    if (shellEffect.length > 0) this.lastShell = shell
    this.projection.mark(stored)
    return { stored, effects: [...effects, ...shellEffect] }
  }

  /** Records a refused command so a repeat of its id gets the same answer. */
  reject(commandId: string, commandType: string, error: LoomError, now: number): void {
    this.storage.transactionSync(() => writeReceipt(this.db, commandId, commandType, { sequence: this.sequence, error }, now))
  }

  /** Whether this object holds a thread at all (an unknown id reads as 404). */
  exists(): boolean {
    return this.state.thread !== null && this.state.thread.deletedAt === null
  }
}
