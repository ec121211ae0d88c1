/**
 * @module One runner link to one thread: hello with the epoch, then the producer's batches
 * (resent from `welcome.lastSeq + 1` after every reconnect), acks, effects in, and coalesced
 * text deltas out. A burst of emits within `batchWindowMs` becomes one batch. Reconnects use
 * backoff with jitter; a refusal that says this epoch is over stops the link.
 */
import { LinkServerFrame, RUNNER_PROTOCOL_VERSION, type Effect, type LinkClientFrame, type LoomError, type RuntimeEvent } from '../../src/contracts/index.ts'
import { createDeltaCoalescer, type DeltaCoalescer } from '../coalescer.ts'
import { createBackoff } from '../backoff.ts'
import type { Logger } from '../console-log.ts'
import { linkPath, socketUrl } from '../endpoints.ts'
import { openWireSocket, type WireSocket } from '../wire-socket.ts'
import { createProducer, type Batch, type Producer } from './producer.ts'
import type { LinkSink } from './link-sink.ts'

export type ThreadLinkOptions = {
  threadId: string
  server: URL
  token: string
  runnerId: string
  epoch: number
  heartbeatMs: number
  log: Logger
  /** How long emits gather before a batch leaves (default 5 ms). */
  batchWindowMs?: number
  onEffect: (effect: Effect) => void
  /** The thread refused this epoch: a newer runner process serves the workspace. */
  onFenced: (error: LoomError) => void
  onFatal: (message: string) => void
  /** The thread stored a diff part (runner/checkpoints/diff-outbox.ts); and each welcome, to resend what it has not. */
  onDiffStored?: (frame: Extract<LinkServerFrame, { type: 'diff.stored' }>) => void
  onWelcome?: () => void
}

export class ThreadLink implements LinkSink {
  readonly threadId: string
  readonly producer: Producer = createProducer()
  private readonly options: ThreadLinkOptions
  private readonly coalescer: DeltaCoalescer
  private readonly backoff = createBackoff()
  private readonly resendBackoff = createBackoff({ baseMs: 100, maxMs: 10_000 })
  private socket: WireSocket | null = null
  private welcomed = false
  private everWelcomed = false
  private stopped = false
  private batchTimer: ReturnType<typeof setTimeout> | null = null
  private resendTimer: ReturnType<typeof setTimeout> | null = null
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null

  constructor(options: ThreadLinkOptions) {
    this.options = options
    this.threadId = options.threadId
    this.coalescer = createDeltaCoalescer({ onFlush: (d) => this.sendDelta(d.itemId, d.offset, d.text) })
  }

  get connected(): boolean {
    return this.welcomed
  }

  get isStopped(): boolean {
    return this.stopped
  }

  start(): void {
    this.connect()
  }

  /** Reconnects now instead of waiting out the backoff (the workspace asked for this link again). */
  nudge(): void {
    if (this.stopped || this.socket || !this.reconnectTimer) return
    clearTimeout(this.reconnectTimer)
    this.reconnectTimer = null
    this.connect()
  }

  emit(event: RuntimeEvent): void {
    if (this.stopped) return
    this.producer.push(event)
    if (this.batchTimer === null) this.batchTimer = setTimeout(() => this.flush(), this.options.batchWindowMs ?? 5)
  }

  delta(itemId: string, text: string): void {
    this.coalescer.push(itemId, text)
  }

  endItem(itemId: string): void {
    this.coalescer.end(itemId)
  }

  flushDeltas(): void {
    this.coalescer.flush()
  }

  /** Sends what waits now, if the thread has welcomed this link. */
  flush(): void {
    if (this.batchTimer !== null) clearTimeout(this.batchTimer)
    this.batchTimer = null
    if (!this.welcomed) return
    for (const batch of this.producer.take()) this.sendBatch(batch)
  }

  /** Resolves true once every event is acknowledged, false when `timeoutMs` passes first. */
  async drained(timeoutMs: number): Promise<boolean> {
    this.coalescer.flush()
    this.flush()
    const deadline = Date.now() + timeoutMs
    while (!this.producer.idle) {
      if (Date.now() >= deadline || this.stopped) return this.producer.idle
      await new Promise((resolve) => setTimeout(resolve, 10))
      this.flush()
    }
    return true
  }

  stop(reason = 'runner shutting down'): void {
    if (this.stopped) return
    this.coalescer.close()
    this.stopped = true
    for (const timer of [this.batchTimer, this.resendTimer, this.reconnectTimer]) if (timer !== null) clearTimeout(timer)
    this.socket?.close(1000, reason)
    this.socket = null
  }

  private connect(): void {
    if (this.stopped) return
    this.reconnectTimer = null
    const { server, threadId, token, heartbeatMs, log, runnerId, epoch } = this.options
    const socket = openWireSocket({
      url: socketUrl(server, linkPath(threadId)),
      token,
      heartbeatMs,
      onOpen: () => socket.send({ type: 'hello', protocolVersion: RUNNER_PROTOCOL_VERSION, runnerId, epoch }),
      onFrame: (frame) => this.onFrame(frame),
      onClose: (info) => {
        if (this.socket === socket) this.socket = null
        const was = this.welcomed
        this.welcomed = false
        if (this.stopped) return
        if (was) log.warn('link lost; reconnecting', { threadId, code: info.code, reason: info.reason || undefined, unacked: this.producer.unacked().length })
        this.reconnectTimer = setTimeout(() => this.connect(), this.backoff.next())
      },
      warn: (msg, fields) => log.warn(msg, { threadId, ...fields }),
    })
    this.socket = socket
  }

  private onFrame(raw: unknown): void {
    const parsed = LinkServerFrame.safeParse(raw)
    if (!parsed.success) return this.options.log.warn('ignored an unknown link frame', { threadId: this.threadId, frame: JSON.stringify(raw).slice(0, 200) })
    const frame = parsed.data
    switch (frame.type) {
      case 'welcome':
        return this.onWelcome(frame.lastSeq)
      case 'ack':
        if (this.producer.ack(frame.seq) > 0) this.resendBackoff.reset()
        return
      case 'effect':
        if (this.welcomed) this.options.onEffect(frame.effect)
        return
      case 'refused':
        return this.onRefused(frame.error)
      case 'diff.stored':
        return this.options.onDiffStored?.(frame)
    }
  }

  private onWelcome(lastSeq: number): void {
    const { log, threadId } = this.options
    this.welcomed = true
    this.backoff.reset()
    const before = this.producer.unacked().length
    const { resend, lost } = this.producer.resync(lastSeq)
    if (lost) log.error('the thread has fewer batches than it acknowledged; renumbered the rest', { threadId, lastSeq })
    for (const batch of resend) this.sendBatch(batch)
    if (!this.everWelcomed) log.info('attached', { threadId, epoch: this.options.epoch })
    else log.info('link resumed', { threadId, lastSeq, confirmed: lost ? 0 : before - resend.length, resent: resend.length })
    this.everWelcomed = true
    this.flush()
    this.options.onWelcome?.()
  }

  private onRefused(error: LoomError): void {
    const { log, threadId } = this.options
    switch (error.code) {
      case 'sequence_gap': {
        const expected = (error.details as { expectedSeq?: unknown } | undefined)?.expectedSeq
        return this.scheduleResend(typeof expected === 'number' ? expected - 1 : null)
      }
      case 'internal_error':
        log.warn('the thread could not commit a batch; resending', { threadId, message: error.message })
        return this.scheduleResend(null)
      case 'stale_epoch':
        this.stop('fenced')
        return this.options.onFenced(error)
      case 'protocol_version_mismatch':
        return this.options.onFatal(`thread ${threadId} refused this runner: ${error.message}`)
      case 'thread_not_found':
      case 'forbidden':
        log.error('the thread refused this link; detaching', { threadId, code: error.code, message: error.message })
        return this.stop(error.code)
      default:
        log.error('the thread refused a frame', { threadId, code: error.code, message: error.message, details: JSON.stringify(error.details ?? null).slice(0, 500) })
    }
  }

  /** One resend at a time, with backoff: every frame after a refused one is refused as a gap too. */
  private scheduleResend(committed: number | null): void {
    if (this.resendTimer !== null) return
    this.resendTimer = setTimeout(() => {
      this.resendTimer = null
      if (!this.welcomed) return
      const first = this.producer.unacked()[0]?.seq
      const last = committed ?? (first === undefined ? this.producer.nextSeq - 1 : first - 1)
      for (const batch of this.producer.resync(last).resend) this.sendBatch(batch)
    }, this.resendBackoff.next())
  }

  private sendBatch(batch: Batch): void {
    this.socket?.send({ type: 'batch', epoch: this.options.epoch, seq: batch.seq, events: batch.events })
  }

  /** Sends a diff part after the events before it, if the thread has welcomed this link (else the caller resends on welcome). */
  sendDiff(frame: Extract<LinkClientFrame, { type: 'diff' }>): void {
    if (!this.welcomed) return
    this.flush()
    this.socket?.send(frame)
  }

  /** Deltas follow the events before them on the socket, so their item exists when they land. */
  private sendDelta(itemId: string, offset: number, text: string): void {
    if (!this.welcomed) return
    this.flush()
    this.socket?.send({ type: 'delta', itemId, offset, text })
  }
}
