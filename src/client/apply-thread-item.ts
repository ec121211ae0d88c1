/**
 * @module A pure reducer that keeps a live `ThreadProjection` from a thread subscription's items.
 * Events carry whole entities (upserts), so applying one replaces that entity; the result is a
 * new projection sharing unchanged arrays, so UI frameworks can compare by reference.
 */
import type { AppThread, DomainEvent, ThreadProjection, ThreadStreamItem } from '../contracts/index.ts'
import { COLLECTION_OF, type CollectionName } from '../domain/thread/state.ts'
import { PROJECTION_SCHEMA_VERSION } from '../contracts/projection.ts'

type Entity = { id: string; ordinal?: number }

/** Collections the projection keeps ordered by ordinal (the rest keep first-seen order). */
const ORDERED: ReadonlySet<CollectionName> = new Set(['runs', 'turnItems'])

const upsert = (list: readonly Entity[], entity: Entity, ordered: boolean): Entity[] => {
  const index = list.findIndex((e) => e.id === entity.id)
  if (index >= 0) {
    const next = list.slice()
    next[index] = entity
    return next
  }
  if (!ordered || entity.ordinal === undefined) return [...list, entity]
  const ordinal = entity.ordinal
  let at = list.length
  while (at > 0 && (list[at - 1]?.ordinal ?? 0) > ordinal) at--
  return [...list.slice(0, at), entity, ...list.slice(at)]
}

/** An empty projection around a thread, for a subscription folded from its first event. */
const emptyProjection = (thread: AppThread, sequence: number): ThreadProjection => ({
  schemaVersion: PROJECTION_SCHEMA_VERSION,
  sequence,
  thread,
  runs: [],
  attempts: [],
  nodes: [],
  subagents: [],
  providerSessions: [],
  providerThreads: [],
  providerTurns: [],
  runtimeRequests: [],
  messages: [],
  plans: [],
  turnItems: [],
  checkpointScopes: [],
  checkpoints: [],
  contextHandoffs: [],
  contextTransfers: [],
  streaming: {},
})

const applyEvent = (projection: ThreadProjection, sequence: number, event: DomainEvent): ThreadProjection => {
  const target = COLLECTION_OF[event.type]
  if (target === 'thread') return { ...projection, sequence, thread: event.payload as AppThread }
  const entity = event.payload as Entity
  const next = {
    ...projection,
    sequence,
    [target]: upsert(projection[target] as Entity[], entity, ORDERED.has(target)),
  } as ThreadProjection
  if (event.type === 'turn-item.updated' && event.payload.status !== 'running' && entity.id in projection.streaming) {
    const { [entity.id]: _finished, ...streaming } = projection.streaming
    next.streaming = streaming
  }
  return next
}

/**
 * Applies one stream item: a `snapshot` replaces the projection; an `event` upserts its entity
 * (ignored at or below the projection's sequence); a `delta` writes streaming text at its
 * offset (ignored when it would leave a hole). Returns the input unchanged when nothing applies,
 * and null only when there is nothing to apply to yet.
 */
export const applyThreadItem = (projection: ThreadProjection | null, item: ThreadStreamItem): ThreadProjection | null => {
  switch (item.kind) {
    case 'snapshot':
      return item.projection
    case 'event': {
      const event = item.event.event
      if (projection === null) {
        return event.type === 'thread.created' || event.type === 'thread.updated' ? emptyProjection(event.payload, item.sequence) : null
      }
      if (item.sequence <= projection.sequence) return projection
      return applyEvent(projection, item.sequence, event)
    }
    case 'delta': {
      if (projection === null) return null
      const current = projection.streaming[item.itemId] ?? ''
      if (item.offset > current.length) return projection
      const text = current.slice(0, item.offset) + item.text
      if (text === current) return projection
      return { ...projection, streaming: { ...projection.streaming, [item.itemId]: text } }
    }
  }
}

/** The text to show for a turn item: its streaming text while it streams, else its own. */
export const itemText = (projection: ThreadProjection, itemId: string): string | null => {
  const streaming = projection.streaming[itemId]
  if (streaming !== undefined) return streaming
  const item = projection.turnItems.find((i) => i.id === itemId)
  if (!item) return null
  const content = item.content
  if ('text' in content && typeof content.text === 'string') return content.text
  if ('markdown' in content && typeof content.markdown === 'string') return content.markdown
  return null
}
