/**
 * @module A subscription as an async iterator over one WebSocket that it reopens after a drop
 * (backoff with jitter) and resumes. What to ask for and which items to let through is the
 * stream's business (thread-stream.ts, shell-stream.ts); this file owns the socket, the bounded
 * queue, the state and the ending.
 */
import { CLIENT_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../contracts/wire/client.ts'
import { LoomError, statusOf } from '../contracts/errors.ts'
import { backoffDelay, type BackoffOptions } from './backoff.ts'
import { BoundedQueue } from './bounded-queue.ts'
import type { SubscriptionState } from './connection.ts'
import { FATAL_CODES, SubscriptionError, type ClientError } from './result.ts'
import { OPEN, socketUrl, type WebSocketConstructor, type WebSocketLike } from './socket.ts'

/** What a stream decides for each item that arrives. */
export type Verdict = 'deliver' | 'drop' | 'resnapshot'

/** The stream-specific half of a subscription. */
export type StreamSpec<T> = {
  /** Path and query of the socket, e.g. `/v1/ws?threadId=t1`. */
  path: string
  /** The subscribe request to send on each (re)opened socket. */
  request: () => { method: string; params: Record<string, unknown> }
  /** The same request, asking for a fresh snapshot. */
  snapshotRequest: () => { method: string; params: Record<string, unknown> }
  /** Checks an item against the contract; null when it does not match. */
  parse: (item: unknown) => T | null
  /** Keeps its resume position up to date and says what to do with the item. */
  admit: (item: T) => Verdict
  /** Forgets the resume position: the next item it delivers must be a snapshot. */
  expectSnapshot: () => void
  /** After a socket never opened: asks over HTTP why, so a 401/403/404 ends instead of looping. */
  probe?: () => Promise<ClientError | null>
}

export type SubscriptionOptions = {
  baseUrl: string
  token: () => string
  WebSocket: WebSocketConstructor
  maxQueuedItems: number
  onOverflow: 'snapshot' | 'error'
  reconnect: BackoffOptions
  signal?: AbortSignal
  onState: (subscription: object, state: SubscriptionState) => void
}

export type Subscription<T> = AsyncIterableIterator<T> & {
  readonly state: SubscriptionState
  onStateChange(listener: (state: SubscriptionState) => void): () => void
  /** Ends the loop and closes the socket (what `break` calls). */
  return(): Promise<IteratorResult<T>>
  close(): void
}

const fatal = (error: ClientError): boolean => FATAL_CODES.has(error.code)

export class ReconnectingSubscription<T> implements Subscription<T> {
  private readonly spec: StreamSpec<T>
  private readonly opts: SubscriptionOptions
  private readonly queue: BoundedQueue<T>
  private readonly listeners = new Set<(state: SubscriptionState) => void>()
  private socket: WebSocketLike | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private attempt = 0
  private nextRequestId = 1
  private subscribeRequestIds = new Set<number>()
  private failure: ClientError | null = null
  private current: SubscriptionState = 'connecting'
  private readonly onAbort = () => this.close()

  constructor(spec: StreamSpec<T>, opts: SubscriptionOptions) {
    this.spec = spec
    this.opts = opts
    this.queue = new BoundedQueue<T>(opts.maxQueuedItems)
    opts.onState(this, 'connecting')
    if (opts.signal?.aborted) {
      this.setState('closed')
      return
    }
    opts.signal?.addEventListener('abort', this.onAbort, { once: true })
    this.open()
  }

  get state(): SubscriptionState {
    return this.current
  }

  onStateChange(listener: (state: SubscriptionState) => void): () => void {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  async next(): Promise<IteratorResult<T>> {
    for (;;) {
      const item = this.queue.shift()
      if (item !== undefined) return { value: item, done: false }
      if (this.failure) {
        const error = this.failure
        this.failure = null
        throw new SubscriptionError(error)
      }
      if (this.current === 'closed') return { value: undefined, done: true }
      await this.queue.wait()
    }
  }

  async return(): Promise<IteratorResult<T>> {
    this.close()
    this.queue.clear()
    return { value: undefined, done: true }
  }

  close(): void {
    if (this.current === 'closed') return
    this.setState('closed')
    this.stop()
  }

  private isClosed(): boolean {
    return this.current === 'closed'
  }

  private setState(state: SubscriptionState): void {
    if (state === this.current) return
    this.current = state
    this.opts.onState(this, state)
    for (const listener of [...this.listeners]) listener(state)
    this.queue.wake()
  }

  private stop(): void {
    this.opts.signal?.removeEventListener('abort', this.onAbort)
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    const socket = this.socket
    this.socket = null
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null
      try {
        socket.close(1000, 'closed by client')
      } catch {
        // A socket that never opened may refuse close(); it is dropped either way.
      }
    }
  }

  /** Ends the iterator with `error` after the items already queued. */
  private fail(error: ClientError): void {
    if (this.current === 'closed') return
    this.failure = error
    this.close()
  }

  private send(request: { method: string; params: Record<string, unknown> }): void {
    const socket = this.socket
    if (!socket || socket.readyState !== OPEN) return
    const id = this.nextRequestId++
    this.subscribeRequestIds.add(id)
    socket.send(JSON.stringify({ id, ...request }))
  }

  private open(): void {
    const protocols = [CLIENT_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${this.opts.token()}`]
    let socket: WebSocketLike
    try {
      socket = new this.opts.WebSocket(socketUrl(this.opts.baseUrl, this.spec.path), protocols)
    } catch (cause) {
      this.fail({ code: 'invalid_request', message: `the socket could not be created: ${String(cause)}`, status: 0 })
      return
    }
    this.socket = socket
    this.subscribeRequestIds = new Set()
    let opened = false
    socket.onopen = () => {
      opened = true
      this.send(this.spec.request())
    }
    socket.onmessage = (event: { data: unknown }) => this.onFrame(event.data)
    socket.onerror = () => {
      // A close event always follows; reconnecting is decided there.
    }
    socket.onclose = (event: { code?: number; reason?: string }) => {
      if (this.socket !== socket) return
      this.socket = null
      // 4001: the token expired; 4003: it was revoked. Reconnecting with it cannot help.
      if (event.code === 4001) return this.fail({ code: 'token_expired', message: event.reason || 'the token has expired', status: 401 })
      if (event.code === 4003) return this.fail({ code: 'unauthorized', message: event.reason || 'the token was revoked', status: 401 })
      void this.reconnect(opened)
    }
  }

  private async reconnect(opened: boolean): Promise<void> {
    if (this.current === 'closed') return
    this.setState('reconnecting')
    if (!opened && this.spec.probe) {
      const refusal = await this.spec.probe()
      if (refusal && fatal(refusal)) return this.fail(refusal)
      if (this.isClosed()) return
    }
    const delay = backoffDelay(this.attempt++, this.opts.reconnect)
    this.timer = setTimeout(() => {
      this.timer = null
      if (this.current !== 'closed') this.open()
    }, delay)
  }

  private onFrame(data: unknown): void {
    if (typeof data !== 'string') return
    let frame: unknown
    try {
      frame = JSON.parse(data)
    } catch {
      return
    }
    if (typeof frame !== 'object' || frame === null) return
    if ('subscription' in frame && 'item' in frame) return this.onItem(frame.item)
    // A coalescing subscription's frame: its items in order (after a resnapshot, the stream drops the rest).
    if ('subscription' in frame && 'items' in frame && Array.isArray(frame.items)) {
      for (const item of frame.items) this.onItem(item)
      return
    }
    if ('error' in frame) {
      const parsed = LoomError.safeParse(frame.error)
      const error: ClientError = parsed.success
        ? { ...parsed.data, status: statusOf(parsed.data.code) }
        : { code: 'invalid_response', message: 'an error frame that does not match the contract', status: 0 }
      const id = 'id' in frame ? frame.id : null
      // Errors for our subscribe requests, and unsolicited ones (id null: e.g. token expired), end it.
      if (id === null || (typeof id === 'number' && this.subscribeRequestIds.has(id))) {
        if (fatal(error)) return this.fail(error)
        this.socket?.close(4000, 'retrying')
      }
      return
    }
    if ('result' in frame && 'id' in frame && typeof frame.id === 'number' && this.subscribeRequestIds.delete(frame.id)) {
      this.attempt = 0
      this.setState('open')
    }
  }

  private onItem(raw: unknown): void {
    if (this.current === 'closed') return
    const item = this.spec.parse(raw)
    if (item === null) return
    const verdict = this.spec.admit(item)
    if (verdict === 'drop') return
    if (verdict === 'resnapshot') return this.resnapshot()
    if (this.queue.push(item)) return
    // The consumer is `maxQueuedItems` behind: bounded memory wins over completeness.
    if (this.opts.onOverflow === 'error') {
      return this.fail({ code: 'subscription_overflow', message: `the consumer fell ${this.queue.limit} items behind`, status: 0 })
    }
    this.queue.clear()
    this.resnapshot()
  }

  private resnapshot(): void {
    this.spec.expectSnapshot()
    this.send(this.spec.snapshotRequest())
  }
}
