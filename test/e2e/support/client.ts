/**
 * @module A Loom API client for e2e tests: commands over HTTP, and a WebSocket subscriber that
 * keeps every stream item of one thread in order.
 */
import { CLIENT_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../../../src/contracts/index.ts'

let counter = 0
export const uniqueId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`

export const api = async (base: string, token: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : null }
}

export const dispatch = async (base: string, token: string, command: Record<string, unknown>) => {
  const result = await api(base, token, '/v1/commands', { commandId: uniqueId('cmd'), ...command })
  if (result.status !== 200) throw new Error(`${String(command.type)} failed: ${JSON.stringify(result.body)}`)
  return result.body
}

/** All stored events of a thread, oldest first. */
export const events = async (base: string, token: string, threadId: string): Promise<any[]> =>
  (await api(base, token, `/v1/threads/${threadId}/events?after=0&limit=1000`)).body.events

export class Subscriber {
  readonly items: any[] = []
  private readonly ws: WebSocket
  private answered = false

  private constructor(ws: WebSocket) {
    this.ws = ws
    ws.addEventListener('message', (event) => {
      const frame = JSON.parse(String(event.data))
      if (frame.item) this.items.push(frame.item)
      else if (frame.id === 1) this.answered = true
    })
  }

  /**
   * Subscribes to a thread: from a snapshot by default, or with `fromStart` from its first
   * event (`afterSequence: 0`), so the projection can be folded from the stream alone.
   */
  static async open(base: string, token: string, threadId: string, opts: { fromStart?: boolean } = {}): Promise<Subscriber> {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/v1/ws?threadId=${threadId}`, [CLIENT_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`])
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve())
      ws.addEventListener('error', () => reject(new Error('subscriber socket failed')))
    })
    const subscriber = new Subscriber(ws)
    const params = opts.fromStart ? { threadId, afterSequence: 0 } : { threadId }
    ws.send(JSON.stringify({ id: 1, method: 'subscribeThread', params }))
    if (opts.fromStart) await subscriber.until(() => subscriber.answered)
    else await subscriber.until(() => subscriber.items.find((i) => i.kind === 'snapshot'))
    return subscriber
  }

  /** Stored events seen, in stream order. */
  get events(): any[] {
    return this.items.filter((i) => i.kind === 'event').map((i) => i.event)
  }

  /** The latest state of each run, as the stream told it. */
  run(runId: string): any {
    return this.events.filter((e) => e.event.type.startsWith('run.') && e.event.payload.id === runId).at(-1)?.event.payload
  }

  runs(): any[] {
    const latest = new Map<string, any>()
    for (const e of this.events) if (e.event.type === 'run.created' || e.event.type === 'run.updated') latest.set(e.event.payload.id, e.event.payload)
    return [...latest.values()].sort((a, b) => a.ordinal - b.ordinal)
  }

  async until<T>(find: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = find()
      if (found) return found
      if (Date.now() > deadline) throw new Error(`subscriber timed out; runs: ${JSON.stringify(this.runs().map((r) => ({ ordinal: r.ordinal, status: r.status, failure: r.failure })))}`)
      await new Promise((r) => setTimeout(r, 25))
    }
  }

  close(): void {
    this.ws.close(1000, 'done')
  }
}
