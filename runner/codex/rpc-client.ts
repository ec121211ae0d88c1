/** @module JSON-RPC client for one `codex app-server` process, JSONL over its stdio. */
import type { Readable, Writable } from 'node:stream'
import type { ClientInfo, InitializeCapabilities } from '../generated/codex/index.ts'
import { createJsonlDecoder, type JsonFrame } from './jsonl-decoder.ts'
import { createLineSplitter } from './line-splitter.ts'
import type {
  ClientMethod,
  CodexNotification,
  InitializeResponse,
  ParamsOf,
  RequestId,
  ResultOf,
  ServerRequest,
  ServerRequestResult,
} from './protocol.ts'
import { classifyFrame } from './rpc-frame.ts'
import { CodexRpcError, type CodexRpcErrorInit } from './rpc-error.ts'

/** The parts of a child process the client uses (a `ChildProcess` fits; tests pass a fake). */
export type CodexProcess = {
  readonly stdin: Writable
  readonly stdout: Readable
  readonly stderr: Readable | null
  kill(signal?: NodeJS.Signals): boolean
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown
  once(event: 'error', listener: (error: Error) => void): unknown
}

/** How the process ended. */
export type CodexExit = { code: number | null; signal: string | null }

/** One frame crossing the stdio boundary, for the runner's NDJSON protocol log. */
export type CodexFrameEvent = { dir: 'in' | 'out'; frame: JsonFrame }

/** Options of {@link CodexRpcClient}. */
export type CodexRpcClientOptions = {
  /** Sent in `initialize`; Codex derives `originator` and the user agent from `name`. */
  clientInfo: ClientInfo
  /** Sent in `initialize`; defaults to `{experimentalApi: true, requestAttestation: false}`. */
  capabilities?: InitializeCapabilities
  /** Every server notification, in order. */
  onNotification?: (notification: CodexNotification) => void
  /**
   * Answers a server→client request (approvals, user input). The returned value is written
   * back as `{id, result}`; a throw becomes `{id, error}` (a `CodexRpcError`'s `rpcCode` is kept).
   * Without a handler every server request is answered with error -32601.
   */
  onServerRequest?: (request: ServerRequest) => ServerRequestResult | Promise<ServerRequestResult>
  /** Observes every frame in and out, before it is routed or written. */
  onFrame?: (event: CodexFrameEvent) => void
  /** Each stderr line of the process. */
  onStderr?: (line: string) => void
  /** Problems that reject no request: garbage lines, stray responses, listener failures. Must not throw. */
  onProtocolError?: (error: CodexRpcError) => void
}

type Pending = { method: string; resolve: (value: unknown) => void; reject: (error: CodexRpcError) => void }

const STDERR_TAIL_LINES = 20
// After 'exit', stdout may still hold answers; wait for its end, but not forever, since a
// grandchild that inherited the pipe can keep it open.
const STDOUT_DRAIN_MS = 250
const DEFAULT_CAPABILITIES: InitializeCapabilities = { experimentalApi: true, requestAttestation: false }

/**
 * Talks to one app-server process. Codex frames carry no `jsonrpc` field; the client numbers
 * its requests from 1, server requests have their own id space. `initialize` + `initialized`
 * run once, on first use, however many callers race for it; pending requests reject with
 * `codex.process_exited` when the process ends.
 * @example
 * const client = new CodexRpcClient(spawnCodexAppServer({ env }), { clientInfo, onNotification })
 * const { thread } = await client.request('thread/start', { cwd })
 * await client.close()
 */
export class CodexRpcClient {
  /** Resolves once the process has exited and its stdout is drained (or timed out). */
  readonly exited: Promise<CodexExit>

  readonly #child: CodexProcess
  readonly #options: CodexRpcClientOptions
  readonly #pending = new Map<RequestId, Pending>()
  readonly #stderrTail: string[] = []
  #nextId = 1
  #initialized: Promise<InitializeResponse> | undefined
  #handshakeDone = false
  #exit: CodexExit | undefined
  #finished = false
  #closed: CodexRpcError | undefined
  #resolveExited!: (exit: CodexExit) => void

  constructor(child: CodexProcess, options: CodexRpcClientOptions) {
    this.#child = child
    this.#options = options
    this.exited = new Promise((resolve) => (this.#resolveExited = resolve))

    const decoder = createJsonlDecoder({
      onFrame: (frame) => this.#receive(frame),
      onGarbage: (line, reason) =>
        this.#report({ code: 'codex.protocol', message: `garbage line on stdout (${reason}): ${line.slice(0, 200)}` }),
    })
    child.stdout.on('data', (chunk: Buffer) => decoder.push(chunk))
    child.stdout.once('end', () => {
      decoder.end()
      if (this.#exit) this.#finish()
    })
    const stderr = createLineSplitter((line) => this.#stderrLine(line))
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.stderr?.once('end', () => stderr.end())
    child.stdin.on('error', (cause) =>
      this.#report({ code: 'codex.spawn_failed', message: `codex stdin failed: ${cause.message}`, cause }),
    )
    child.once('exit', (code, signal) => {
      this.#exit = { code, signal }
      if (child.stdout.readableEnded) this.#finish()
      else setTimeout(() => this.#finish(), STDOUT_DRAIN_MS)
    })
    child.once('error', (cause) => {
      this.#exit ??= { code: null, signal: null }
      this.#finish(new CodexRpcError({ code: 'codex.spawn_failed', message: `codex process failed: ${cause.message}`, cause }))
    })
  }

  /** Runs the `initialize` handshake once per process; later and concurrent calls share it. */
  initialize(): Promise<InitializeResponse> {
    this.#initialized ??= this.#call('initialize', {
      clientInfo: this.#options.clientInfo,
      capabilities: this.#options.capabilities ?? DEFAULT_CAPABILITIES,
    }).then((result) => {
      this.#write({ method: 'initialized' })
      this.#handshakeDone = true
      return result as InitializeResponse
    })
    return this.#initialized
  }

  /**
   * Sends a request after the handshake and resolves with its result, or rejects with a `CodexRpcError`.
   * Once the handshake is done the request frame is written synchronously, inside this call, so a
   * caller can attribute the frame it sees in `onFrame` (e.g. to one of several sessions).
   */
  request<M extends ClientMethod>(
    method: M,
    ...params: undefined extends ParamsOf<M> ? [params?: ParamsOf<M>] : [params: ParamsOf<M>]
  ): Promise<ResultOf<M>> {
    if (this.#handshakeDone) return this.#call(method, params[0]) as Promise<ResultOf<M>>
    return this.initialize().then(() => this.#call(method, params[0]) as Promise<ResultOf<M>>)
  }

  /** Ends stdin (Codex exits on EOF), then SIGTERM and SIGKILL if it lingers; resolves on exit. */
  async close(graceMs = 2000): Promise<CodexExit> {
    if (this.#exit) return this.exited
    this.#closed ??= new CodexRpcError({ code: 'codex.closed', message: 'codex client closed' })
    this.#child.stdin.end()
    for (const signal of [undefined, 'SIGTERM', 'SIGKILL'] as const) {
      if (signal) this.#child.kill(signal)
      const done = await Promise.race([this.exited.then(() => true), delay(graceMs).then(() => false)])
      if (done) break
    }
    return this.exited
  }

  #call(method: string, params: unknown): Promise<unknown> {
    if (this.#closed) return Promise.reject(this.#closed)
    const id = this.#nextId++
    const result = new Promise<unknown>((resolve, reject) => this.#pending.set(id, { method, resolve, reject }))
    this.#write(params === undefined ? { id, method } : { id, method, params })
    return result
  }

  #write(frame: JsonFrame): void {
    if (this.#exit) return
    this.#observe({ dir: 'out', frame })
    this.#child.stdin.write(`${JSON.stringify(frame)}\n`)
  }

  #receive(frame: JsonFrame): void {
    this.#observe({ dir: 'in', frame })
    const inbound = classifyFrame(frame)
    switch (inbound.kind) {
      case 'response':
        return this.#settle(inbound.id, (p) => p.resolve(inbound.result))
      case 'error': {
        const { code, message, data } = inbound.error
        if (inbound.id === null) return this.#report({ code: 'codex.protocol', message: `error without id: ${message}`, data })
        return this.#settle(inbound.id, (p) =>
          p.reject(new CodexRpcError({ code: 'codex.rpc_error', message, rpcCode: code, data, method: p.method })),
        )
      }
      case 'request':
        return void this.#answer(inbound.request)
      case 'notification':
        return this.#guard('notification listener', () => this.#options.onNotification?.(inbound.notification))
      case 'invalid':
        return this.#report({ code: 'codex.protocol', message: `unroutable frame (${inbound.reason})`, data: frame })
    }
  }

  #settle(id: RequestId, settle: (pending: Pending) => void): void {
    const pending = this.#pending.get(id)
    if (!pending) return this.#report({ code: 'codex.protocol', message: `answer for unknown request id ${id}` })
    this.#pending.delete(id)
    settle(pending)
  }

  async #answer(request: ServerRequest): Promise<void> {
    const handler = this.#options.onServerRequest
    if (!handler) {
      this.#write({ id: request.id, error: { code: -32601, message: `no handler for ${request.method}` } })
      return
    }
    try {
      this.#write({ id: request.id, result: await handler(request) })
    } catch (error) {
      const rpcCode = error instanceof CodexRpcError && error.rpcCode !== undefined ? error.rpcCode : -32603
      const message = error instanceof Error ? error.message : String(error)
      this.#write({ id: request.id, error: { code: rpcCode, message } })
      this.#report({ code: 'codex.handler_failed', message: `${request.method} handler: ${message}`, cause: error })
    }
  }

  #observe(event: CodexFrameEvent): void {
    this.#guard('frame observer', () => this.#options.onFrame?.(event))
  }

  #stderrLine(line: string): void {
    this.#stderrTail.push(line)
    if (this.#stderrTail.length > STDERR_TAIL_LINES) this.#stderrTail.shift()
    this.#guard('stderr listener', () => this.#options.onStderr?.(line))
  }

  #guard(what: string, run: () => void): void {
    try {
      run()
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      this.#report({ code: 'codex.handler_failed', message: `${what} threw: ${message}`, cause: error })
    }
  }

  #report(init: CodexRpcErrorInit): void {
    const error = new CodexRpcError(init)
    if (this.#options.onProtocolError) this.#options.onProtocolError(error)
    else console.error(`[codex] ${error.code}: ${error.message}`)
  }

  #finish(failure?: CodexRpcError): void {
    const exit = this.#exit
    if (!exit || this.#finished) return
    this.#finished = true
    const stderr = this.#stderrTail.length > 0 ? `; stderr tail:\n${this.#stderrTail.join('\n')}` : ''
    const error =
      failure ??
      new CodexRpcError({ code: 'codex.process_exited', message: `codex app-server exited (code ${exit.code}, signal ${exit.signal})${stderr}`, exit })
    this.#closed = error
    for (const pending of this.#pending.values()) pending.reject(error)
    this.#pending.clear()
    this.#resolveExited(exit)
  }
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
