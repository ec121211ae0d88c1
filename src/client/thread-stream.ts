/**
 * @module What a thread subscription asks for and lets through: it resumes after the last
 * sequence it delivered, drops events at or below it, and asks for a fresh snapshot when it
 * misses streaming text (a delta that does not continue what it has seen).
 */
import { ThreadStreamItem } from '../contracts/wire/client.ts'
import type { StreamSpec, Verdict } from './subscription.ts'

export type ThreadStreamState = {
  /** The highest sequence delivered (a snapshot's or an event's); null before the first. */
  lastSequence: number | null
  /** True until a snapshot arrives, after an overflow or a missed delta. */
  awaitingSnapshot: boolean
  /** How much streaming text of each running item has been delivered. */
  streamed: Map<string, number>
}

export const threadStreamSpec = (
  threadId: string,
  afterSequence: number | undefined,
  probe?: StreamSpec<ThreadStreamItem>['probe'],
): StreamSpec<ThreadStreamItem> & { readonly position: ThreadStreamState } => {
  const position: ThreadStreamState = { lastSequence: afterSequence ?? null, awaitingSnapshot: false, streamed: new Map() }
  const admit = (item: ThreadStreamItem): Verdict => {
    switch (item.kind) {
      case 'snapshot':
        position.lastSequence = item.sequence
        position.awaitingSnapshot = false
        position.streamed = new Map(Object.entries(item.projection.streaming).map(([id, text]) => [id, text.length]))
        return 'deliver'
      case 'event': {
        if (position.awaitingSnapshot) return 'drop'
        if (position.lastSequence !== null && item.sequence <= position.lastSequence) return 'drop'
        position.lastSequence = item.sequence
        const event = item.event.event
        if (event.type === 'turn-item.updated' && event.payload.status !== 'running') position.streamed.delete(event.payload.id)
        return 'deliver'
      }
      case 'delta': {
        if (position.awaitingSnapshot) return 'drop'
        const seen = position.streamed.get(item.itemId) ?? 0
        if (item.offset > seen) return 'resnapshot'
        const end = item.offset + item.text.length
        if (end <= seen) return 'drop'
        position.streamed.set(item.itemId, end)
        return 'deliver'
      }
    }
  }
  return {
    position,
    path: `/v1/ws?threadId=${encodeURIComponent(threadId)}`,
    request: () => ({
      method: 'subscribeThread',
      params: position.lastSequence === null ? { threadId, coalesce: true } : { threadId, afterSequence: position.lastSequence, coalesce: true },
    }),
    snapshotRequest: () => ({ method: 'subscribeThread', params: { threadId, coalesce: true } }),
    parse: (item) => {
      const parsed = ThreadStreamItem.safeParse(item)
      return parsed.success ? parsed.data : null
    },
    admit,
    expectSnapshot: () => {
      position.lastSequence = null
      position.awaitingSnapshot = true
    },
    ...(probe ? { probe } : {}),
  }
}
