/**
 * @module One thread as a user sees it through the worker: commands over HTTP (with ids derived
 * from a counter, so two replays send the same commands) and a WebSocket subscriber from the
 * first event (test/e2e/support/client.ts). The projection is folded from the stream alone.
 */
import type { StoredEvent, ThreadProjection } from '../../src/contracts/index.ts'
import { fold, toProjection } from '../../src/domain/thread/index.ts'
import { Subscriber, api } from '../../test/e2e/support/client.ts'

export const REPLAY_WORKSPACE = 'ws-replay'
export const REPLAY_THREAD = 'thread-replay'

export class SystemThread {
  readonly threadId: string
  private commands = 0
  private readonly base: string
  private readonly token: string
  private subscriber: Subscriber | null = null
  /** How many stream items a `quiet` last saw, and when it first saw that many. */
  private seen = { items: -1, at: 0 }

  private readonly commandPrefix: string

  /** `commandPrefix` keeps command ids apart when several threads of one replay share a worker. */
  constructor(base: string, token: string, threadId: string = REPLAY_THREAD, commandPrefix = 'cmd-replay') {
    this.base = base
    this.token = token
    this.threadId = threadId
    this.commandPrefix = commandPrefix
  }

  /** Sends a user command; resolves with the HTTP status and body (non-200 is the caller's to judge). */
  async command(input: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    return api(this.base, this.token, '/v1/commands', { commandId: `${this.commandPrefix}-${++this.commands}`, threadId: this.threadId, ...input })
  }

  /** Forks this thread at `sourcePoint` into a new thread, subscribed from its first event once it exists. */
  async fork(targetThreadId: string, sourcePoint: Record<string, unknown>): Promise<SystemThread> {
    const reply = await this.command({ type: 'thread.fork', targetThreadId, sourcePoint })
    if (reply.status !== 200) throw new Error(`thread.fork refused (${reply.status}): ${JSON.stringify(reply.body)}`)
    const fork = new SystemThread(this.base, this.token, targetThreadId, `cmd-${targetThreadId}`)
    const deadline = Date.now() + 5000
    while ((await api(this.base, this.token, `/v1/threads/${targetThreadId}`)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`the fork ${targetThreadId} was not created within 5000 ms`)
      await new Promise((r) => setTimeout(r, 20))
    }
    await fork.subscribe()
    return fork
  }

  /** Subscribes from the first event and waits for it (`thread.created`), so `projection()` has a thread to fold. */
  async subscribe(): Promise<void> {
    const subscriber = await Subscriber.open(this.base, this.token, this.threadId, { fromStart: true })
    this.subscriber = subscriber
    const deadline = Date.now() + 5000
    while (subscriber.events.length === 0) {
      if (Date.now() > deadline) throw new Error(`the first event of ${this.threadId} did not reach its subscriber within 5000 ms`)
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  /** Stored events the subscriber has seen, in stream order. */
  get events(): StoredEvent[] {
    return (this.subscriber?.events ?? []) as StoredEvent[]
  }

  projection(): ThreadProjection {
    const events = this.events
    return toProjection(fold(events.map((e) => e.event)), events.at(-1)?.sequence ?? 0)
  }

  /** Resolves with `find`'s answer once it has one; rejects with `what` after `timeoutMs`. */
  async until<T>(what: string, find: (p: ThreadProjection) => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = find(this.projection())
      if (found) return found
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; runs: ${JSON.stringify(this.projection().runs.map((r) => [r.ordinal, r.status]))}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  /** Resolves once no new stream item arrived for `quietMs` (counted from the call, then from each new item). */
  async quiet(quietMs = 150, timeoutMs = 5000): Promise<void> {
    this.seen = { items: this.subscriber?.items.length ?? 0, at: Date.now() }
    await this.quietSinceSeen(quietMs, timeoutMs)
  }

  /**
   * As `quiet`, but counted from when an earlier `quiet` first saw as many items as there are
   * now: for a caller that caused nothing since, the stream may have been quiet long enough already.
   */
  async quietSinceSeen(quietMs = 150, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    const look = () => {
      const items = this.subscriber?.items.length ?? 0
      if (items !== this.seen.items) this.seen = { items, at: Date.now() }
    }
    look()
    while (Date.now() - this.seen.at < quietMs && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10))
      look()
    }
  }

  /** Resolves once the subscriber has seen every event the thread has stored now (no need to wait for a quiet stream). */
  async caughtUp(timeoutMs = 5000): Promise<void> {
    const head = await api(this.base, this.token, `/v1/threads/${this.threadId}`)
    if (head.status !== 200) throw new Error(`the projection of ${this.threadId} was refused (${head.status}): ${JSON.stringify(head.body)}`)
    await this.until(`the subscriber of ${this.threadId} sees sequence ${String(head.body.sequence)}`, () => (this.events.at(-1)?.sequence ?? 0) >= head.body.sequence, timeoutMs)
  }

  close(): void {
    this.subscriber?.close()
  }
}
