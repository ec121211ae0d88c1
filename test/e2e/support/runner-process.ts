/**
 * @module A `loom-runner` child process for tests: started with `--log-format json`, every log
 * line kept, waited on by predicate, and killed for sure when the test ends.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..', '..', '..')
export const SCRIPTED_RUNNER = resolve(root, 'test', 'e2e', 'support', 'scripted-runner.ts')
export const REAL_CLI = resolve(root, 'runner', 'cli.ts')

export type LogLine = { msg: string; level: string; [key: string]: unknown }

export class RunnerProcess {
  readonly child: ChildProcess
  readonly lines: LogLine[] = []
  readonly stderr: string[] = []
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  private readonly ownGroup: boolean

  /**
   * `env` replaces the runner's environment (the provider endpoints go there). `ownGroup` starts
   * it as the leader of a new process group, so a test can find what it spawned (`group(pid)`)
   * and `killGroup` ends all of it.
   */
  constructor(args: string[], entry = SCRIPTED_RUNNER, opts: { env?: Record<string, string>; ownGroup?: boolean } = {}) {
    this.child = spawn(process.execPath, [entry, '--log-format', 'json', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.env ? { env: opts.env } : {}),
      detached: opts.ownGroup ?? false,
    })
    this.ownGroup = opts.ownGroup ?? false
    let partial = ''
    this.child.stdout?.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString()
      const parts = text.split('\n')
      partial = parts.pop() ?? ''
      for (const line of parts) if (line.trim()) this.lines.push(JSON.parse(line) as LogLine)
    })
    this.child.stderr?.on('data', (chunk: Buffer) => void this.stderr.push(chunk.toString()))
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })))
  }

  get pid(): number {
    return this.child.pid as number
  }

  /** Waits for a log line matching `match`, after the first `from` lines. */
  async line(match: (line: LogLine) => boolean, timeoutMs = 10_000, from = 0): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.lines.slice(from).find(match)
      if (found) return found
      if (Date.now() > deadline) throw new Error(`no matching runner log line; got:\n${this.lines.map((l) => JSON.stringify(l)).join('\n')}\n${this.stderr.join('')}`)
      await new Promise((r) => setTimeout(r, 25))
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal)
  }

  /** SIGKILL to the runner's whole process group (it must have been started with `ownGroup`). */
  killGroup(): void {
    if (!this.ownGroup) throw new Error('killGroup needs a runner started with ownGroup')
    try {
      process.kill(-this.pid, 'SIGKILL')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
    }
  }
}
