/**
 * @module The soak's runners: one real `loom-runner` process per workspace, reaching the worker
 * through its own relay (so one of its sockets can be cut), in a process group of its own.
 * Faults: SIGKILL of the runner alone, then a check in /proc that none of the provider
 * processes it had survives it; SIGKILL of one provider process it spawned.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fakeRunnerEnv, type FakeModelServer } from '../../fixtures/fake-models/index.ts'
import { group, survivors, tree, type Proc } from '../../test/e2e/support/processes.ts'
import { ROOT } from '../local-worker.ts'
import type { RunnerKill } from './record.ts'
import type { Relay } from './relay.ts'

const CLI = join(ROOT, 'runner', 'cli.ts')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The Claude Code CLI, `codex app-server`. */
export const isProviderProcess = (p: Proc): boolean => /claude-agent-sdk[^ ]*\/claude( |$)/.test(p.cmd) || /\/codex app-server( |$)/.test(p.cmd)

export type Fakes = { openai: FakeModelServer; anthropic: FakeModelServer }

type Live = { child: ChildProcess; exited: Promise<void> }

export class RunnerSlot {
  readonly workspaceId: string
  readonly dir: string
  readonly relay: Relay
  private readonly token: string
  private readonly env: Record<string, string>
  private live: Live | null = null
  starts = 0

  private readonly logDir: string

  /** `logDir` keeps each runner process's output, one file per process. */
  constructor(opts: { workspaceId: string; dir: string; token: string; relay: Relay; fakes: Fakes; logDir: string }) {
    this.logDir = opts.logDir
    this.workspaceId = opts.workspaceId
    this.dir = opts.dir
    this.token = opts.token
    this.relay = opts.relay
    mkdirSync(this.dir, { recursive: true })
    this.env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...(process.env.LANG ? { LANG: process.env.LANG } : {}),
      HOME: this.dir,
      ...fakeRunnerEnv({ openai: opts.fakes.openai.url, anthropic: opts.fakes.anthropic.url, catalogPath: join(this.dir, '..', `${opts.workspaceId}-catalog.json`), key: 'soak-key' }),
    }
  }

  get pid(): number | null {
    return this.live?.child.pid ?? null
  }

  get running(): boolean {
    return this.live !== null
  }

  /** Starts a runner process and waits for its control socket to connect; a runner that does not connect is killed and started again. */
  async start(timeoutMs = 30_000, tries = 3): Promise<void> {
    for (let n = 1; ; n++) {
      try {
        return await this.startOnce(timeoutMs)
      } catch (error) {
        await this.stop()
        if (n >= tries) throw error
      }
    }
  }

  private async startOnce(timeoutMs: number): Promise<void> {
    const args = [CLI, '--server', this.relay.url, '--token', this.token, '--workspace', this.dir, '--log-format', 'json', '--heartbeat-ms', '500']
    const child = spawn(process.execPath, args, { cwd: ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    const file = createWriteStream(join(this.logDir, `${this.workspaceId}.${this.starts + 1}.log`))
    child.stdout?.pipe(file)
    const output: string[] = []
    const keep = (line: string) => {
      output.push(line)
      if (output.length > 40) output.shift()
    }
    let partial = ''
    const connected = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`runner of ${this.workspaceId} did not connect in ${timeoutMs} ms:\n${output.join('\n')}`)), timeoutMs)
      child.stdout?.on('data', (chunk: Buffer) => {
        const parts = (partial + chunk.toString('utf8')).split('\n')
        partial = parts.pop() ?? ''
        for (const line of parts) keep(line)
        if (parts.some((line) => line.includes('"msg":"connected"'))) {
          clearTimeout(timer)
          resolve()
        }
      })
      child.on('exit', (code, signal) => {
        clearTimeout(timer)
        reject(new Error(`runner of ${this.workspaceId} exited (${code ?? signal}) before connecting:\n${output.join('\n')}`))
      })
    })
    child.stderr?.on('data', (chunk: Buffer) => keep(chunk.toString('utf8')))
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
    this.live = { child, exited }
    this.starts++
    await connected
  }

  /** Provider processes the runner has spawned now. */
  providers(): Proc[] {
    const pid = this.pid
    return pid === null ? [] : tree(pid).filter(isProviderProcess)
  }

  /** SIGKILL to the runner alone; then, after `graceMs`, which of its processes still run. */
  async kill(graceMs: number): Promise<RunnerKill> {
    const live = this.live
    const pid = live?.child.pid
    if (!live || pid === undefined) throw new Error('no runner to kill')
    const all = [...tree(pid), ...group(pid)].filter((p) => p.pid !== pid)
    const seen = [...new Map(all.map((p) => [p.pid, p])).values()]
    const providers = seen.filter(isProviderProcess).length
    process.kill(pid, 'SIGKILL')
    await live.exited
    this.live = null
    const deadline = Date.now() + graceMs
    let alive = survivors(seen)
    while (alive.length > 0 && Date.now() < deadline) {
      await sleep(50)
      alive = survivors(seen)
    }
    // Leave nothing behind for the rest of the soak, whatever the verdict.
    for (const p of alive) {
      try {
        process.kill(p.pid, 'SIGKILL')
      } catch {
        // gone meanwhile
      }
    }
    return { workspaceId: this.workspaceId, pid, providers, survivors: alive.map((p) => `${p.pid} ${p.cmd.slice(0, 120)}`) }
  }

  /** SIGKILL to one provider process of this runner; false when it has none. */
  killProvider(pick: (n: number) => number): boolean {
    const list = this.providers()
    if (list.length === 0) return false
    try {
      process.kill(list[pick(list.length)]!.pid, 'SIGKILL')
      return true
    } catch {
      return false
    }
  }

  /** Ends the runner and everything in its group. */
  async stop(): Promise<void> {
    const live = this.live
    const pid = live?.child.pid
    if (!live || pid === undefined) return
    try {
      process.kill(-pid, 'SIGKILL')
    } catch {
      // already gone
    }
    await live.exited
    this.live = null
  }
}
