/**
 * @module Browser and API subscribers of one thread. A subscription's snapshot (or the events
 * after `afterSequence`) and its registration happen in one synchronous turn, so no event is
 * missed or doubled. Frames are serialized once and sent to every subscriber.
 *
 * A coalescing subscription (`coalesce: true`) gets its items queued and sent together at the
 * end of the object's current turn, in one frame. The queue is sent before any new subscription
 * is answered, so a snapshot never overtakes items queued before it.
 */
import { LIMITS, loomError, type StoredEvent, type ThreadStreamItem } from '../../src/contracts/index.ts'
import { readEvents } from '../store/thread/read.ts'
import { isExpired, type Claims } from '../auth/claims.ts'
import type { ThreadCore } from './core.ts'
import { send, sendJson } from './frames.ts'
import { projectionText } from './projection-text.ts'

export type ClientAttachment = { kind: 'client'; claims: Claims; subscribed: boolean; coalesce?: boolean }

/** A coalesced frame is sent early once its items reach this many characters. */
const COALESCED_FRAME_CHARS = 256 * 1024

export const subscriptionId = (threadId: string) => `thread:${threadId}`

/** Client sockets and their attachments, cached so fan-out never deserializes per event. */
export class ThreadClients {
  private readonly ctx: DurableObjectState
  private readonly cache = new Map<WebSocket, ClientAttachment>()
  /** Subscribed sockets, kept as subscriptions change; filled from the attachments after a wake. */
  private subscribed: Set<WebSocket> | null = null
  /** Serialized items waiting for the coalescing subscribers, their subscription, and their size. */
  private queued: string[] = []
  private queuedFor = ''
  private queuedChars = 0
  private flushTimer: ReturnType<typeof setTimeout> | null = null

  constructor(ctx: DurableObjectState) {
    this.ctx = ctx
  }

  accept(ws: WebSocket, claims: Claims): void {
    const attachment: ClientAttachment = { kind: 'client', claims, subscribed: false }
    this.ctx.acceptWebSocket(ws, ['client'])
    ws.serializeAttachment(attachment)
    this.cache.set(ws, attachment)
  }

  attachment(ws: WebSocket): ClientAttachment {
    let attachment = this.cache.get(ws)
    if (!attachment) {
      attachment = ws.deserializeAttachment() as ClientAttachment
      this.cache.set(ws, attachment)
    }
    return attachment
  }

  private setSubscribed(ws: WebSocket, subscribed: boolean, coalesce = false): void {
    const attachment = { ...this.attachment(ws), subscribed, coalesce }
    ws.serializeAttachment(attachment)
    this.cache.set(ws, attachment)
    if (subscribed) this.subscribedSockets().add(ws)
    else this.subscribed?.delete(ws)
  }

  forget(ws: WebSocket): void {
    this.cache.delete(ws)
    this.subscribed?.delete(ws)
  }

  private subscribedSockets(): Set<WebSocket> {
    this.subscribed ??= new Set(this.ctx.getWebSockets('client').filter((ws) => this.attachment(ws).subscribed))
    return this.subscribed
  }

  /** Answers the request, then sends the snapshot or the missed events, then registers. */
  subscribe(ws: WebSocket, requestId: string | number, core: ThreadCore, afterSequence: number | undefined, coalesce = false): void {
    this.flush()
    const threadId = core.threadId as string
    const subscription = subscriptionId(threadId)
    if (afterSequence !== undefined && afterSequence > core.sequence) {
      sendJson(ws, {
        id: requestId,
        error: loomError('invalid_request', `afterSequence ${afterSequence} is ahead of the thread (at ${core.sequence})`, {
          path: ['params', 'afterSequence'],
        }),
      })
      return
    }
    sendJson(ws, { id: requestId, result: { subscription, sequence: core.sequence } })
    if (afterSequence === undefined) {
      // { subscription, item: ThreadStreamItem (snapshot) }, with the projection's text spliced in.
      send(ws, `{"subscription":${JSON.stringify(subscription)},"item":{"kind":"snapshot","sequence":${core.sequence},"projection":${projectionText(core)}}}`)
    } else {
      let after = afterSequence
      while (after < core.sequence) {
        const page = readEvents(core.db, threadId, after, LIMITS.eventsPageSize)
        for (const event of page) sendJson(ws, { subscription, item: { kind: 'event', sequence: event.sequence, event } })
        after = page.at(-1)?.sequence ?? core.sequence
      }
    }
    this.setSubscribed(ws, true, coalesce)
  }

  unsubscribe(ws: WebSocket): void {
    this.setSubscribed(ws, false)
  }

  /** Subscribed sockets; one whose token has expired is told so and closed instead. */
  private subscribers(): WebSocket[] {
    const now = Date.now()
    return [...this.subscribedSockets()].filter((ws) => {
      if (!isExpired(this.attachment(ws).claims, now)) return true
      sendJson(ws, { id: null, error: loomError('token_expired', 'the token has expired; reconnect with a fresh one') })
      this.setSubscribed(ws, false)
      ws.close(4001, 'token expired')
      return false
    })
  }

  broadcastEvents(threadId: string, stored: StoredEvent[]): void {
    if (stored.length === 0) return
    this.broadcast(threadId, () => stored.map((event) => JSON.stringify({ kind: 'event', sequence: event.sequence, event } satisfies ThreadStreamItem)))
  }

  broadcastDelta(threadId: string, itemId: string, offset: number, text: string): void {
    this.broadcast(threadId, () => [JSON.stringify({ kind: 'delta', itemId, offset, text } satisfies ThreadStreamItem)])
  }

  /** Sends the queued items to the coalescing subscribers now. */
  flush(): void {
    if (this.flushTimer !== null) {
      clearTimeout(this.flushTimer)
      this.flushTimer = null
    }
    if (this.queued.length === 0) return
    const frame = `{"subscription":${JSON.stringify(this.queuedFor)},"items":[${this.queued.join(',')}]}`
    this.queued = []
    this.queuedChars = 0
    for (const ws of this.subscribers()) if (this.attachment(ws).coalesce) send(ws, frame)
  }

  /** `serialize` gives the stream items, in order; it is not called when nobody listens. */
  private broadcast(threadId: string, serialize: () => string[]): void {
    const sockets = this.subscribers()
    if (sockets.length === 0) return
    const items = serialize()
    const subscription = subscriptionId(threadId)
    let coalescing = false
    let frames: string[] | null = null
    for (const ws of sockets) {
      if (this.attachment(ws).coalesce) {
        coalescing = true
        continue
      }
      frames ??= classicFrames(subscription, items)
      for (const frame of frames) send(ws, frame)
    }
    if (!coalescing) return
    this.queuedFor = subscription
    for (const item of items) {
      this.queued.push(item)
      this.queuedChars += item.length
    }
    if (this.queuedChars >= COALESCED_FRAME_CHARS) this.flush()
    else this.flushTimer ??= setTimeout(() => this.flush(), 0)
  }
}

/** One `{ subscription, item }` frame per serialized item. */
const classicFrames = (subscription: string, items: string[]): string[] => {
  const head = `{"subscription":${JSON.stringify(subscription)},"item":`
  return items.map((item) => `${head}${item}}`)
}
