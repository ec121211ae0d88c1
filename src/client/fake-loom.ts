/**
 * @module A fake Loom server for the client's unit tests: a mock of the network boundary (the
 * client's injected `WebSocket` and `fetch`), because a real server cannot run the same way under
 * Node and Deno. Its thread is real: events come from the domain decider (ThreadWorld), and it
 * answers `subscribeThread` as the ThreadObject does (a snapshot, or the events after
 * `afterSequence`). The real worker is exercised in test/worker/client.test.ts.
 */
import type { StoredEvent } from '../contracts/events.ts'
import type { ThreadStreamItem } from '../contracts/wire/client.ts'
import { ThreadWorld, type Step } from '../domain/testing/decider-spec.ts'
import { toProjection, toShell } from '../domain/thread/projection.ts'
import type { WebSocketLike } from './socket.ts'

type Frame = { id: number | string; method: string; params: Record<string, unknown> }

const tick = (fn: () => void) => setTimeout(fn, 0)

export class FakeSocket implements WebSocketLike {
  readyState = 0
  onopen: ((event: unknown) => unknown) | null = null
  onmessage: ((event: { data: unknown }) => unknown) | null = null
  onclose: ((event: { code: number; reason: string }) => unknown) | null = null
  onerror: ((event: unknown) => unknown) | null = null
  readonly url: string
  readonly protocols: string[]
  readonly received: Frame[] = []
  /** Frames the server sent it, in order. */
  readonly sent: object[] = []
  /** Whether its thread subscription asked for coalesced frames. */
  coalesce = false
  private readonly server: FakeLoom

  constructor(server: FakeLoom, url: string, protocols: string | string[] = []) {
    this.server = server
    this.url = url
    this.protocols = Array.isArray(protocols) ? protocols : [protocols]
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open')
    const frame = JSON.parse(data) as Frame
    this.received.push(frame)
    tick(() => this.server.handle(this, frame))
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState >= 2) return
    this.readyState = 3
    tick(() => this.onclose?.({ code, reason }))
  }

  /** Server side: deliver a frame to the client. */
  deliver(frame: object): void {
    if (this.readyState !== 1) return
    this.sent.push(frame)
    const data = JSON.stringify(frame)
    tick(() => {
      if (this.readyState === 1) this.onmessage?.({ data })
    })
  }

  /** Server side: the connection drops without a close handshake (1006), or the server closes it. */
  cut(code = 1006, reason = ''): void {
    if (this.readyState >= 2) return
    this.readyState = 3
    tick(() => this.onclose?.({ code, reason }))
  }
}

export class FakeLoom {
  readonly world = new ThreadWorld()
  readonly stored: StoredEvent[] = []
  readonly sockets: FakeSocket[] = []
  readonly streaming = new Map<string, string>()
  /** How many of the next socket opens fail (as an upgrade refused or a network down). */
  refuseOpens = 0
  /** The answer to HTTP calls, when set (a probe after a refused open reads it). */
  httpAnswer: { status: number; body: unknown } | null = null
  readonly WebSocket: new (url: string, protocols?: string | string[]) => FakeSocket

  constructor(...history: Step[]) {
    const server = this
    this.WebSocket = class extends FakeSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(server, url, protocols)
        server.sockets.push(this)
        tick(() => {
          if (this.readyState !== 0) return
          if (server.refuseOpens > 0) {
            server.refuseOpens--
            this.readyState = 3
            this.onerror?.({})
            this.onclose?.({ code: 1006, reason: '' })
            return
          }
          this.readyState = 1
          this.onopen?.({})
        })
      }
    }
    this.step(...history)
  }

  get threadId(): string {
    return this.world.state.thread?.id ?? 'none'
  }

  get sequence(): number {
    return this.stored.length
  }

  get open(): FakeSocket[] {
    return this.sockets.filter((s) => s.readyState === 1)
  }

  readonly fetch = async (input: RequestInfo | URL, _init?: RequestInit): Promise<Response> => {
    const answer = this.httpAnswer ?? { status: 200, body: this.projection() }
    void input
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } })
  }

  projection() {
    return toProjection(this.world.state, this.sequence, Object.fromEntries(this.streaming))
  }

  /** Commits steps as the thread object would, and sends their events to subscribers. */
  step(...steps: Step[]): StoredEvent[] {
    const fresh: StoredEvent[] = []
    for (const step of steps) {
      const before = this.world.log.length
      this.world.must(step)
      for (const event of this.world.log.slice(before)) {
        const sequence = this.stored.length + 1
        const stored: StoredEvent = {
          sequence,
          eventId: `event-${sequence}` as StoredEvent['eventId'],
          threadId: this.threadId as StoredEvent['threadId'],
          commandId: null,
          actor: 'user:test',
          occurredAt: 1_700_000_000_000 + sequence,
          event,
        }
        this.stored.push(stored)
        fresh.push(stored)
        if (event.type === 'turn-item.updated' && event.payload.status !== 'running') this.streaming.delete(event.payload.id)
      }
    }
    this.broadcast(...fresh.map((event): ThreadStreamItem => ({ kind: 'event', sequence: event.sequence, event })))
    return fresh
  }

  /** Streams text of a running item, as the object does (offset = what it already holds). */
  delta(itemId: string, text: string, offset = (this.streaming.get(itemId) ?? '').length): void {
    const current = this.streaming.get(itemId) ?? ''
    this.streaming.set(itemId, current.slice(0, offset) + text)
    this.broadcast({ kind: 'delta', itemId, offset, text })
  }

  /** Appends streaming text that no subscriber hears (as if it was sent while they were away). */
  deltaUnheard(itemId: string, text: string): void {
    this.streaming.set(itemId, (this.streaming.get(itemId) ?? '') + text)
  }

  /** As the object does: one frame of all the items for a coalescing subscription, one frame each otherwise. */
  broadcast(...items: ThreadStreamItem[]): void {
    if (items.length === 0) return
    const subscription = `thread:${this.threadId}`
    for (const socket of this.open) {
      if (socket.coalesce) socket.deliver({ subscription, items })
      else for (const item of items) socket.deliver({ subscription, item })
    }
  }

  /** Every open socket drops. */
  cutAll(): void {
    for (const socket of this.open) socket.cut()
  }

  /** Subscribe requests received, in order, across sockets. */
  subscribeRequests(): Frame[] {
    return this.sockets.flatMap((s) => s.received).filter((f) => f.method === 'subscribeThread')
  }

  handle(socket: FakeSocket, frame: Frame): void {
    if (frame.method === 'subscribeShell') {
      const subscription = `shell:${String(frame.params.workspaceId)}`
      socket.deliver({ id: frame.id, result: { subscription } })
      socket.deliver({ subscription, item: { kind: 'snapshot', threads: [toShell(this.world.state, this.sequence)] } })
      return
    }
    if (frame.method !== 'subscribeThread') {
      socket.deliver({ id: frame.id, error: { code: 'invalid_request', message: `unexpected ${frame.method}` } })
      return
    }
    const after = frame.params.afterSequence as number | undefined
    if (after !== undefined && after > this.sequence) {
      socket.deliver({ id: frame.id, error: { code: 'invalid_request', message: 'afterSequence is ahead' } })
      return
    }
    const subscription = `thread:${this.threadId}`
    socket.coalesce = frame.params.coalesce === true
    socket.deliver({ id: frame.id, result: { subscription, sequence: this.sequence } })
    if (after === undefined) {
      socket.deliver({ subscription, item: { kind: 'snapshot', sequence: this.sequence, projection: this.projection() } })
    } else {
      for (const event of this.stored.slice(after)) socket.deliver({ subscription, item: { kind: 'event', sequence: event.sequence, event } })
    }
  }
}

/** Waits until `predicate` holds, polling on timers (works the same under Node and Deno). */
export const until = async <T>(predicate: () => T | undefined | false | null, timeoutMs = 2000): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = predicate()
    if (value) return value
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}
