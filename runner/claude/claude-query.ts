/**
 * @module One streaming-input `query()` of the pinned Claude Agent SDK, and the native log of
 * its boundary in the `claude-agent-sdk.query` fixture protocol: outbound `query.open{options}`,
 * `prompt.offer{message}`, `permission.response{result}`, `query.interrupt`; inbound every raw
 * SDK message and `permission.request{toolName,input,options}`; `runtime_exit` at the end.
 *
 * The CLI child is spawned here (`spawnClaudeCodeProcess`), in the runner's process group and
 * tethered to the runner's life (runner/tether.ts), with its stderr kept (the CLI's argument
 * errors are only there), and `close()` makes sure it is gone: end of input, then
 * `query.close()`, then SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { query as sdkQuery, type CanUseTool, type Options, type PermissionResult, type Query, type SDKMessage, type SDKUserMessage, type SpawnedProcess, type SpawnOptions } from '@anthropic-ai/claude-agent-sdk'
import type { NativeLog } from '../native-log.ts'
import { tethered } from '../tether.ts'
import { PromptStream } from './prompt-stream.ts'
import { permissionAsk, permissionRequestFrame, type PermissionAsk } from './permissions.ts'

export type QueryFn = typeof sdkQuery

/** Answers one permission ask (the session's canUseTool, without the SDK plumbing). */
export type AskHandler = (ask: PermissionAsk, signal: AbortSignal) => Promise<PermissionResult>

export type ClaudeQueryOptions = {
  /** SDK options without canUseTool / spawn / stderr, which this wrapper supplies. */
  options: Options
  onAsk: AskHandler | null
  log: NativeLog
  onMessage: (message: SDKMessage) => void
  /** The query ended: `error` when it threw, `intentional` when `close()` ended it. */
  onEnd: (error: unknown, intentional: boolean) => void
  queryFn?: QueryFn
}

const STDERR_KEEP = 8192

/** The options worth recording: no environment (it holds credentials), no callbacks. */
export function loggedOptions(o: Options): Record<string, unknown> {
  const keys = ['model', 'cwd', 'permissionMode', 'allowDangerouslySkipPermissions', 'sessionId', 'resume', 'resumeSessionAt', 'forkSession', 'includePartialMessages', 'settingSources'] as const
  const out: Record<string, unknown> = {}
  for (const key of keys) if (o[key] !== undefined) out[key] = o[key]
  return out
}

/** Waits for `p`, at most `ms`; the timer is cleared either way, so it never holds the process open. */
const within = async (p: Promise<unknown>, ms: number): Promise<void> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))])
  } finally {
    clearTimeout(timer)
  }
}

export class ClaudeQuery {
  private readonly prompt = new PromptStream()
  private readonly q: Query
  private child: ChildProcess | null = null
  private stderr = ''
  private closing = false
  private finished = false
  readonly done: Promise<void>
  private readonly o: ClaudeQueryOptions

  constructor(o: ClaudeQueryOptions) {
    this.o = o
    const canUseTool: CanUseTool | undefined = o.onAsk ? (name, input, opts) => this.ask(name, input, opts) : undefined
    const options: Options = { ...o.options, canUseTool, spawnClaudeCodeProcess: (s) => this.spawn(s) }
    o.log.outbound({ type: 'query.open', options: loggedOptions(o.options) })
    this.q = (o.queryFn ?? sdkQuery)({ prompt: this.prompt, options })
    this.done = this.consume()
  }

  get ended(): boolean {
    return this.finished || this.closing
  }

  /** The last lines the CLI wrote to stderr. */
  stderrTail(): string {
    return this.stderr
  }

  offer(message: SDKUserMessage): void {
    this.o.log.outbound({ type: 'prompt.offer', message })
    this.prompt.push(message)
  }

  /** Asks the CLI to stop the current turn; resolves when it acknowledged or `timeoutMs` passed. */
  async interrupt(timeoutMs: number): Promise<boolean> {
    this.o.log.outbound({ type: 'query.interrupt' })
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))
    try {
      return await Promise.race([this.q.interrupt().then(() => true), timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Ends the query and its process; the session stays on disk, resumable. */
  async close(graceMs = 1500): Promise<void> {
    if (!this.closing) {
      this.closing = true
      this.prompt.end()
    }
    if (!this.finished) await within(this.done, graceMs)
    if (!this.finished) this.q.close()
    await this.killChild(graceMs)
    await within(this.done, graceMs)
  }

  private async killChild(graceMs: number): Promise<void> {
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    await within(exited, graceMs)
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await within(exited, graceMs)
    }
  }

  private spawn(s: SpawnOptions): SpawnedProcess {
    // Tethered: a runner killed outright (SIGKILL) takes the CLI with it (runner/tether.ts).
    const { command, args } = tethered(s.command, s.args)
    const child = spawn(command, args, { cwd: s.cwd, env: s.env, stdio: ['pipe', 'pipe', 'pipe'] })
    this.child = child
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_KEEP)
    })
    s.signal.addEventListener('abort', () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    }, { once: true })
    return child as SpawnedProcess
  }

  private async ask(name: string, input: Record<string, unknown>, opts: Parameters<CanUseTool>[2]): Promise<PermissionResult> {
    const ask = permissionAsk(name, input, opts)
    this.o.log.inbound(permissionRequestFrame(ask))
    const handler = this.o.onAsk
    const result: PermissionResult = handler ? await handler(ask, opts.signal) : { behavior: 'deny', message: 'No approvals here', toolUseID: ask.toolUseID }
    this.o.log.outbound({ type: 'permission.response', result })
    return result
  }

  private async consume(): Promise<void> {
    let error: unknown = null
    try {
      for await (const message of this.q) {
        this.o.log.inbound(message)
        this.o.onMessage(message)
      }
    } catch (e) {
      error = e
    }
    this.finished = true
    this.prompt.end()
    const intentional = this.closing
    this.o.log.exit(intentional ? 'cancelled' : error ? 'error' : 'success', error ? String(error instanceof Error ? error.message : error) : undefined)
    this.o.onEnd(error, intentional)
  }
}
