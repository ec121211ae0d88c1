/**
 * @module A soak subscriber: a WebSocket on one thread (through the subscriber relay, so its
 * socket can be cut), which records every event it is delivered. When its socket drops
 * without it asking (a cut, a worker restart) it resumes with `afterSequence` = the last
 * sequence it saw, as a browser client would; the record keeps each socket as one session.
 */
import { CLIENT_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../../src/contracts/index.ts'
import type { SubscriberRecord, SubscriberSession } from './record.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export class SoakSubscriber {
  readonly record: SubscriberRecord
  private readonly base: string
  private readonly token: string
  private ws: WebSocket | null = null
  private leaving = false
  private failures = 0
  delivered = 0
  reconnects = 0

  constructor(id: string, base: string, token: string, threadId: string) {
    this.record = { id, threadId, sessions: [] }
    this.base = base
    this.token = token
  }

  /** The last sequence delivered, across sessions (0 before any). */
  get last(): number {
    for (let i = this.record.sessions.length - 1; i >= 0; i--) {
      const s = this.record.sessions[i]!
      if (s.events.length > 0) return s.events.at(-1)!.sequence
      if (s.from > 1) return s.from - 1
    }
    return 0
  }

  get connected(): boolean {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN
  }

  /** Joins from a snapshot, or from the first event with `fromStart`. */
  async join(fromStart: boolean): Promise<void> {
    await this.open(fromStart ? 0 : null, false)
  }

  private async open(afterSequence: number | null, resumes: boolean): Promise<void> {
    const threadId = this.record.threadId
    const ws = new WebSocket(`${this.base.replace(/^http/, 'ws')}/v1/ws?threadId=${threadId}`, [CLIENT_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${this.token}`])
    this.ws = ws
    let session: SubscriberSession | null = null
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('subscribe timed out')), 15_000)
      ws.addEventListener('open', () => {
        ws.send(JSON.stringify({ id: 1, method: 'subscribeThread', params: afterSequence === null ? { threadId } : { threadId, afterSequence } }))
        if (afterSequence !== null) {
          session = { from: afterSequence + 1, resumes, events: [], liveAtEnd: false }
          this.record.sessions.push(session)
        }
      })
      ws.addEventListener('message', (message) => {
        const frame = JSON.parse(String(message.data))
        if (frame.id === 1) {
          if (frame.error) reject(new Error(`subscribe refused: ${JSON.stringify(frame.error)}`))
          else if (afterSequence !== null) {
            clearTimeout(timer)
            resolve()
          }
          return
        }
        const item = frame.item
        if (!item) return
        if (item.kind === 'snapshot') {
          session = { from: item.sequence + 1, resumes, events: [], liveAtEnd: false }
          this.record.sessions.push(session)
          clearTimeout(timer)
          resolve()
        } else if (item.kind === 'event' && session) {
          session.events.push({ sequence: item.event.sequence, eventId: item.event.eventId })
          this.delivered++
        }
      })
      ws.addEventListener('error', () => reject(new Error('subscriber socket failed')))
      ws.addEventListener('close', () => {
        clearTimeout(timer)
        reject(new Error('subscriber socket closed before subscribing'))
        if (this.ws === ws && !this.leaving) void this.resume()
      })
    })
    await ready
  }

  /**
   * Reopens after an unasked drop, resuming after the last event seen. A failed try closes its
   * socket, whose close handler comes back here: the backoff grows until a socket holds.
   */
  private async resume(): Promise<void> {
    await sleep(Math.min(2000, 100 * 2 ** Math.min(this.failures, 5)))
    if (this.leaving) return
    this.reconnects++
    try {
      await this.open(this.last, true)
      this.failures = 0
    } catch {
      this.failures++
    }
  }

  /** Waits until the subscriber has delivered up to `sequence`, or `timeoutMs` passes. */
  async reach(sequence: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (this.last < sequence && Date.now() < deadline) await sleep(50)
    return this.last >= sequence
  }

  /** Marks the current session as live at the end (the checker then expects it to be complete). */
  markLiveAtEnd(): void {
    const session = this.record.sessions.at(-1)
    if (session && this.connected) session.liveAtEnd = true
  }

  leave(): void {
    this.leaving = true
    this.ws?.close(1000, 'leaving')
  }
}
