/** @module The load generator's side: tokens, timed HTTP posts, and WebSockets (Node's built-in). */
import { sign } from 'hono/jwt'

export type Scope = 'read' | 'operate' | 'runner' | 'admin'

export const mintToken = (secret: string, sub: string, scopes: Scope[], workspaces: string[]): Promise<string> =>
  sign({ sub, scopes, workspaces, exp: Math.floor(Date.now() / 1000) + 3600 }, secret, 'HS256')

/** POSTs `body`; resolves with the latency in ms and the parsed answer. Throws on a non-200. */
export const post = async (url: string, body: string, token: string): Promise<{ ms: number; json: any }> => {
  const t0 = performance.now()
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } })
  const text = await res.text()
  const ms = performance.now() - t0
  if (res.status !== 200) throw new Error(`POST ${url}: ${res.status} ${text.slice(0, 500)}`)
  return { ms, json: JSON.parse(text) }
}

/** Runs `count` tasks with at most `concurrency` in flight. */
export const pool = async (count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> => {
  let next = 0
  const worker = async () => {
    while (next < count) await task(next++)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
}

/** A WebSocket whose text frames go to `onFrame` (raw) and, when kept, into `frames` (parsed). */
export class Socket {
  readonly ws: WebSocket
  readonly frames: any[] = []
  keep = true
  onFrame: ((data: string) => void) | null = null
  private waiters: Array<() => void> = []

  private constructor(ws: WebSocket) {
    this.ws = ws
    ws.addEventListener('message', (event) => {
      const data = event.data as string
      this.onFrame?.(data)
      if (this.keep) this.frames.push(JSON.parse(data))
      for (const wake of this.waiters.splice(0)) wake()
    })
    ws.addEventListener('close', () => {
      for (const wake of this.waiters.splice(0)) wake()
    })
  }

  static open(url: string, protocols: string[]): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols)
      const socket = new Socket(ws)
      ws.addEventListener('open', () => resolve(socket), { once: true })
      ws.addEventListener('error', () => reject(new Error(`WebSocket ${url} failed`)), { once: true })
    })
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /** Waits (bounded) until `predicate` finds something among the kept frames. */
  async until<T>(predicate: (frames: any[]) => T | undefined, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = predicate(this.frames)
      if (found !== undefined) return found
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed; frames: ${JSON.stringify(this.frames).slice(0, 1000)}`)
      if (Date.now() > deadline) throw new Error(`timed out; frames: ${JSON.stringify(this.frames).slice(0, 1000)}`)
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve)
        setTimeout(resolve, 100)
      })
    }
  }

  close(): void {
    this.ws.close(1000, 'done')
  }
}

/** Resolves when `check()` holds, polling every few ms; bounded by `timeoutMs`. */
export const waitFor = async (check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}
