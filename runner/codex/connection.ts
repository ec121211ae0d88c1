/**
 * @module One `codex app-server` process shared by the sessions whose threads live in it.
 * It initializes once, routes each inbound frame to the session that owns its thread (a
 * sub-agent thread is claimed by the session whose turn spawned it), attributes every frame in
 * and out to that session's native log, and tells every session when the process ends.
 */
import type { ClientInfo } from '../generated/codex/index.ts'
import type { NativeLog } from '../native-log.ts'
import type { JsonFrame } from './jsonl-decoder.ts'
import type { ClientMethod, CodexNotification, InitializeResponse, ParamsOf, RequestId, ResultOf, ServerRequest, ServerRequestResult } from './protocol.ts'
import { CodexRpcClient, type CodexExit, type CodexFrameEvent, type CodexProcess } from './rpc-client.ts'
import { CodexRpcError } from './rpc-error.ts'
import { spawnCodexAppServer } from './spawn-app-server.ts'

/** What a session gives the connection: the traffic of the threads it owns. */
export interface ConnectionListener {
  readonly log: NativeLog
  /** A notification for an owned thread, or one that names no thread. */
  notification(notification: CodexNotification): void
  /** A server request for an owned thread; the returned value is the answer. */
  serverRequest(request: ServerRequest): Promise<ServerRequestResult>
  /** Whether this session owns the (so far unowned) thread a frame is about, e.g. its sub-agent. */
  claims(frame: CodexNotification | ServerRequest): boolean
  /** The process ended; `expected` when it was closed on purpose. */
  closed(error: CodexRpcError, expected: boolean): void
}

/** How to start the process. */
export type CodexConnectionOptions = {
  env: Record<string, string>
  cwd: string
  clientInfo: ClientInfo
  binary?: string
  /** Replaces the spawn (tests). */
  spawn?: () => CodexProcess
}

type Owner = ConnectionListener | 'handshake'

const STDERR_TAIL = 20
let serials = 0

/** The thread a frame's params are about (`threadId`, `thread.id`, legacy `conversationId`). */
export const threadIdOf = (params: unknown): string | null => {
  if (typeof params !== 'object' || params === null) return null
  const p = params as { threadId?: unknown; thread?: { id?: unknown }; conversationId?: unknown }
  if (typeof p.threadId === 'string') return p.threadId
  if (typeof p.thread?.id === 'string') return p.thread.id
  return typeof p.conversationId === 'string' ? p.conversationId : null
}

export class CodexConnection {
  /** Distinguishes processes: server request ids restart at 0 in each. */
  readonly serial = ++serials
  /** Resolves when the process has exited. */
  readonly exited: Promise<CodexExit>
  readonly #client: CodexRpcClient
  readonly #listeners = new Set<ConnectionListener>()
  readonly #threads = new Map<string, ConnectionListener>()
  readonly #outOwners = new Map<RequestId, Owner>()
  readonly #serverRequestOwners = new Map<RequestId, ConnectionListener>()
  readonly #handshake: Array<CodexFrameEvent> = []
  readonly #stderr: string[] = []
  #sender: ConnectionListener | null = null
  #closing = false
  #ended = false

  constructor(options: CodexConnectionOptions) {
    const child = options.spawn?.() ?? spawnCodexAppServer({ env: options.env, cwd: options.cwd, ...(options.binary ? { binary: options.binary } : {}) })
    this.#client = new CodexRpcClient(child, {
      clientInfo: options.clientInfo,
      onFrame: (event) => this.#log(event),
      onNotification: (n) => this.#notify(n),
      onServerRequest: (r) => this.#serverRequest(r),
      onStderr: (line) => {
        this.#stderr.push(line)
        if (this.#stderr.length > STDERR_TAIL) this.#stderr.shift()
      },
      onProtocolError: (error) => console.warn(`[codex ${this.serial}] ${error.code}: ${error.message}`),
    })
    this.exited = this.#client.exited.then((exit) => {
      this.#ended = true
      const tail = this.#stderr.length > 0 ? `; stderr tail:\n${this.#stderr.join('\n')}` : ''
      const error = new CodexRpcError({ code: 'codex.process_exited', message: `codex app-server exited (code ${exit.code}, signal ${exit.signal})${tail}`, exit })
      for (const listener of [...this.#listeners]) listener.closed(error, this.#closing)
      return exit
    })
  }

  /** Whether the process is still running and not being closed. */
  get alive(): boolean {
    return !this.#ended && !this.#closing
  }

  /** Runs `initialize` + `initialized` once, however many sessions ask at the same moment. */
  initialize(): Promise<InitializeResponse> {
    return this.#client.initialize()
  }

  /** Starts routing to `listener`; its log first gets the handshake frames it joined after. */
  attach(listener: ConnectionListener): void {
    this.#listeners.add(listener)
    for (const { dir, frame } of this.#handshake) this.#write(listener, dir, frame)
  }

  /** Stops routing to `listener` and forgets the threads it owned. */
  detach(listener: ConnectionListener): void {
    this.#listeners.delete(listener)
    for (const [thread, owner] of this.#threads) if (owner === listener) this.#threads.delete(thread)
  }

  /** Routes `threadId`'s frames to `listener` from now on. */
  own(threadId: string, listener: ConnectionListener): void {
    this.#threads.set(threadId, listener)
  }

  /** Sends a request on behalf of `listener`, whose log records the request and its answer. */
  async request<M extends ClientMethod>(listener: ConnectionListener, method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    await this.#client.initialize()
    // After the handshake the client writes synchronously inside request(): the frame's owner is known.
    this.#sender = listener
    try {
      return await (this.#client.request as (m: M, p: ParamsOf<M>) => Promise<ResultOf<M>>)(method, params)
    } finally {
      this.#sender = null
    }
  }

  /** Ends the process (stdin EOF, then signals); listeners hear `closed(…, expected = true)`. */
  close(): Promise<CodexExit> {
    this.#closing = true
    return this.#client.close()
  }

  #owner(frame: CodexNotification | ServerRequest): ConnectionListener | null {
    const thread = threadIdOf(frame.params)
    if (thread === null) return null
    const known = this.#threads.get(thread)
    if (known) return known
    for (const listener of this.#listeners) {
      if (listener.claims(frame)) {
        this.#threads.set(thread, listener)
        return listener
      }
    }
    return null
  }

  #notify(notification: CodexNotification): void {
    const owner = this.#owner(notification)
    if (owner) return owner.notification(notification)
    // Frames about no thread (process status, warnings) go to every session; frames about a
    // thread nobody owns are only logged.
    if (threadIdOf(notification.params) === null) for (const listener of [...this.#listeners]) listener.notification(notification)
  }

  #serverRequest(request: ServerRequest): Promise<ServerRequestResult> {
    const owner = this.#owner(request)
    if (owner) return owner.serverRequest(request)
    return Promise.reject(new CodexRpcError({ code: 'codex.protocol', message: `no session owns the thread of ${request.method}`, rpcCode: -32601 }))
  }

  #log(event: CodexFrameEvent): void {
    const { dir, frame } = event
    const method = typeof frame.method === 'string' ? frame.method : null
    const id = frame.id as RequestId | undefined
    let owner: Owner | null
    if (dir === 'out') {
      if (method === 'initialize' || method === 'initialized') owner = 'handshake'
      else if (method !== null) owner = this.#sender
      else owner = id === undefined ? null : (this.#serverRequestOwners.get(id) ?? null)
      if (method !== null && id !== undefined && owner) this.#outOwners.set(id, owner)
      if (method === null && id !== undefined) this.#serverRequestOwners.delete(id)
    } else if (method !== null) {
      owner = this.#owner(frame as CodexNotification)
      if (owner && id !== undefined) this.#serverRequestOwners.set(id, owner)
    } else {
      owner = id === undefined ? null : (this.#outOwners.get(id) ?? null)
      if (id !== undefined) this.#outOwners.delete(id)
    }
    if (owner === 'handshake') this.#handshake.push(event)
    const targets = owner === null || owner === 'handshake' ? [...this.#listeners] : [owner]
    for (const listener of targets) this.#write(listener, dir, frame)
  }

  #write(listener: ConnectionListener, dir: 'in' | 'out', frame: JsonFrame): void {
    const label = typeof frame.method === 'string' ? frame.method : undefined
    if (dir === 'out') listener.log.outbound(frame, label)
    else listener.log.inbound(frame, label)
  }
}
