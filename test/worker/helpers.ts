/** Shared helpers for tests inside workerd: tokens, commands over HTTP, sockets. */
import { env, SELF } from 'cloudflare:test'
import { sign } from 'hono/jwt'
import { CLIENT_SUBPROTOCOL, RUNNER_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX, type CommandInput } from '../../src/contracts/index.ts'

export type TokenOptions = { sub?: string; scopes?: string[]; workspaces?: string[]; expiresIn?: number }

export const token = (opts: TokenOptions = {}): Promise<string> =>
  sign(
    {
      sub: opts.sub ?? 'user:test',
      scopes: opts.scopes ?? ['read', 'operate'],
      workspaces: opts.workspaces ?? ['ws-test'],
      exp: Math.floor(Date.now() / 1000) + (opts.expiresIn ?? 3600),
    },
    env.LOOM_JWT_SECRET,
    'HS256',
  )

let counter = 0
/** A fresh id per call, so tests in one file never share a thread. */
export const uniqueId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`

export const api = async (path: string, init: RequestInit & { token?: string } = {}) => {
  const headers = new Headers(init.headers)
  if (init.token) headers.set('Authorization', `Bearer ${init.token}`)
  if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json')
  const response = await SELF.fetch(`https://loom.test${path}`, { ...init, headers })
  const text = await response.text()
  let body: any = null
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    body = text
  }
  return { status: response.status, body }
}

export const dispatch = (tok: string, command: Record<string, unknown>) =>
  api('/v1/commands', { method: 'POST', token: tok, body: JSON.stringify({ commandId: uniqueId('cmd'), ...command }) })

export const createThread = async (tok: string, threadId = uniqueId('thread'), extra: Partial<CommandInput> = {}) => {
  const result = await dispatch(tok, {
    type: 'thread.create',
    threadId,
    workspaceId: 'ws-test',
    title: 'A thread',
    modelSelection: { provider: 'codex', model: 'fake-model' },
    ...extra,
  })
  if (result.status !== 200) throw new Error(`create failed: ${JSON.stringify(result.body)}`)
  return threadId
}

export const projection = async (tok: string, threadId: string) => (await api(`/v1/threads/${threadId}`, { token: tok })).body

/** A WebSocket to the worker, with every frame it receives kept in order. */
export class TestSocket {
  readonly ws: WebSocket
  readonly frames: any[] = []
  private waiters: Array<() => void> = []
  closed: { code: number; reason: string } | null = null

  constructor(ws: WebSocket) {
    this.ws = ws
    ws.accept()
    ws.addEventListener('message', (event) => {
      this.frames.push(JSON.parse(String(event.data)))
      for (const wake of this.waiters.splice(0)) wake()
    })
    ws.addEventListener('close', (event) => {
      this.closed = { code: event.code, reason: event.reason }
      for (const wake of this.waiters.splice(0)) wake()
    })
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /** Waits until `predicate` holds over the frames received so far. */
  async until<T>(predicate: (frames: any[]) => T | undefined | false, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = predicate(this.frames)
      if (found) return found
      if (Date.now() > deadline) throw new Error(`timed out; frames: ${JSON.stringify(this.frames).slice(0, 2000)}`)
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve)
        setTimeout(resolve, 50)
      })
    }
  }

  /** Sends a request frame and waits for its answer. */
  async request(id: string | number, method: string, params: unknown): Promise<any> {
    this.send({ id, method, params })
    return this.until((frames) => frames.find((f) => f.id === id && ('result' in f || 'error' in f)))
  }

  close(): void {
    this.ws.close(1000, 'done')
  }
}

export const connect = async (path: string, tok: string, role: 'client' | 'runner' = 'client'): Promise<TestSocket> => {
  const protocol = role === 'client' ? CLIENT_SUBPROTOCOL : RUNNER_SUBPROTOCOL
  const response = await SELF.fetch(`https://loom.test${path}`, {
    headers: { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': `${protocol}, ${TOKEN_SUBPROTOCOL_PREFIX}${tok}` },
  })
  if (response.status !== 101 || !response.webSocket) throw new Error(`upgrade failed: ${response.status} ${await response.text()}`)
  return new TestSocket(response.webSocket)
}
