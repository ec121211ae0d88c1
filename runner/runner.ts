/**
 * @module The runner process's parts, joined: the control socket, one link and one session host
 * per attached thread, provider status, and the two ways out (a graceful shutdown that flushes
 * what it owes the threads, and a fatal refusal that stops at once).
 */
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import type { LoomError, ProviderKind } from '../src/contracts/index.ts'
import type { AdapterRegistry } from './adapters/registry.ts'
import type { RunnerOptions } from './cli-args.ts'
import type { Logger } from './console-log.ts'
import { ControlConnection } from './control.ts'
import { EffectIntake } from './link/effect-intake.ts'
import { ThreadLink } from './link/thread-link.ts'
import { openNativeLogFile } from './native-log-file.ts'
import { checkProviders, fixtureProtocol, type StatusBoard } from './provider-status.ts'
import { ThreadSessions } from './sessions/thread-sessions.ts'
import { ThreadCheckpoints } from './checkpoints/thread-checkpoints.ts'
import { DiffOutbox } from './checkpoints/diff-outbox.ts'
import { DiffStore } from './checkpoints/diff-store.ts'
import { refSegment } from './checkpoints/refs.ts'
import { excludeLoomDir, findRepo } from './checkpoints/worktree.ts'

export type RunnerDeps = {
  options: RunnerOptions
  adapters: AdapterRegistry
  log: Logger
  /** The environment providers run with (`providerEnvOf`: without the runner token). */
  providerEnv: Record<string, string>
}

type Attached = { link: ThreadLink; sessions: ThreadSessions; intake: EffectIntake }

/** Bounded waits of a graceful shutdown. */
const DRAIN_MS = 3000
const DRAIN_AFTER_CLOSE_MS = 2000
const ADAPTER_SHUTDOWN_MS = 5000

export class Runner {
  readonly runnerId = randomUUID()
  /** Resolves with the process exit code. */
  readonly finished: Promise<number>
  private readonly deps: RunnerDeps
  private readonly control: ControlConnection
  private readonly threads = new Map<string, Attached>()
  private statuses: StatusBoard | null = null
  private ending = false
  private finish: (code: number) => void = () => undefined

  constructor(deps: RunnerDeps) {
    this.deps = deps
    this.finished = new Promise((resolve) => (this.finish = resolve))
    const { options, log } = deps
    this.control = new ControlConnection({
      server: options.server,
      token: options.token,
      runnerId: this.runnerId,
      workspaceRoot: options.workspace,
      heartbeatMs: options.heartbeatMs,
      log,
      statuses: () => this.statuses?.list() ?? [],
      onWelcome: () => {
        for (const { link } of this.threads.values()) link.nudge()
      },
      onAttach: (threadId) => this.attach(threadId),
      onFatal: (message) => void this.fatal(message),
    })
  }

  /** The epoch the workspace issued this process, once it has. */
  get epoch(): number | null {
    return this.control.epoch
  }

  start(): void {
    const { log, options, adapters } = this.deps
    log.info('runner starting', { runnerId: this.runnerId, workspace: options.workspace, providers: [...adapters.keys()].join(',') || 'none' })
    this.statuses = checkProviders(adapters, () => this.control.sendStatus(), log)
    // The runner's own `.loom/` (state, logs, worktrees) stays out of the user's `git status`.
    void findRepo(options.workspace)
      .then((repo) => (repo ? excludeLoomDir(repo.topLevel) : undefined))
      .catch((cause: unknown) => log.warn('could not add .loom/ to the repository exclude file', { cause: String(cause) }))
    this.control.start()
  }

  /** SIGINT/SIGTERM: take no new effects, flush, close provider sessions, flush again, close sockets. */
  async shutdown(signal: string): Promise<void> {
    if (this.ending) return
    this.ending = true
    const { log } = this.deps
    log.info('shutting down', { signal, threads: this.threads.size })
    const all = [...this.threads.values()]
    for (const { intake } of all) intake.accepting = false
    const drained = await Promise.all(all.map(({ link }) => link.drained(DRAIN_MS)))
    await Promise.all(all.map(({ sessions }) => sessions.closeAll('server_shutdown')))
    await this.shutdownAdapters()
    const after = await Promise.all(all.map(({ link }) => link.drained(DRAIN_AFTER_CLOSE_MS)))
    const unflushed = all.filter((_, i) => !drained[i] || !after[i]).map(({ link }) => link.threadId)
    if (unflushed.length > 0) log.warn('some events were not acknowledged before exit', { threads: unflushed.join(',') })
    this.closeSockets()
    log.info('stopped', { flushed: unflushed.length === 0 })
    this.finish(0)
  }

  /** This process must not serve (fenced, wrong protocol, bad token): end provider sessions and exit non-zero. */
  async fatal(message: string): Promise<void> {
    if (this.ending) return
    this.ending = true
    this.deps.log.error(message)
    const all = [...this.threads.values()]
    for (const { intake, link } of all) {
      intake.accepting = false
      link.stop('fatal')
    }
    this.control.stop()
    await Promise.all(all.map(({ sessions }) => sessions.closeAll('fatal')))
    await this.shutdownAdapters()
    this.finish(1)
  }

  private attach(threadId: string): void {
    if (this.ending) return
    const existing = this.threads.get(threadId)
    if (existing && !existing.link.isStopped) return existing.link.nudge()
    // A link the thread refused earlier (deleted, forbidden) leaves sessions behind; end them first.
    if (existing) void existing.sessions.closeAll('detached')
    const epoch = this.control.epoch
    if (epoch === null) return
    const { options, log, adapters } = this.deps
    const link: ThreadLink = new ThreadLink({
      threadId,
      server: options.server,
      token: options.token,
      runnerId: this.runnerId,
      epoch,
      heartbeatMs: options.heartbeatMs,
      log,
      onEffect: (effect) => intake.receive(effect),
      onFenced: (error) => this.fenced(threadId, error),
      onFatal: (message) => void this.fatal(message),
      onDiffStored: (frame) => diffs.stored(frame.subject, frame.id, frame.part),
      onWelcome: () => diffs.resend(),
    })
    // Diff parts not yet stored by the thread survive a restart: resent after the next welcome.
    const diffs = new DiffOutbox((frame) => link.sendDiff(frame), { store: new DiffStore(join(options.stateDir, 'diffs', refSegment(threadId))), warn: (msg, fields) => log.warn(msg, { threadId, ...fields }) })
    const sessions = new ThreadSessions({
      threadId,
      adapters,
      workspaceRoot: options.workspace,
      providersDir: join(options.stateDir, 'providers'),
      providerEnv: this.deps.providerEnv,
      sink: link,
      openLog: (thread, provider) => this.openLog(thread, provider),
      log,
      checkpoints: { files: new ThreadCheckpoints(threadId, options.workspace), sendDiff: (diff) => diffs.push(diff), dropDiffs: () => diffs.clear() },
    })
    const intake: EffectIntake = new EffectIntake({
      threadId,
      emit: (event) => link.emit(event),
      holds: (match) => link.producer.holds(match),
      carryOut: (effect) => sessions.carryOut(effect),
      log,
    })
    this.threads.set(threadId, { link, sessions, intake })
    link.start()
  }

  /** A thread refused our epoch: ask the workspace again, which refuses a fenced runner outright. */
  private fenced(threadId: string, error: LoomError): void {
    this.deps.log.warn('a thread refused this runner epoch; checking with the workspace', { threadId, message: error.message })
    const attached = this.threads.get(threadId)
    this.threads.delete(threadId)
    if (attached) void attached.sessions.closeAll('fenced')
    this.control.reconnect()
  }

  private openLog(threadId: string, provider: ProviderKind) {
    const { options, log } = this.deps
    const status = this.statuses?.list().find((s) => s.provider === provider)
    return openNativeLogFile({
      dir: join(options.stateDir, 'logs'),
      name: `${encodeURIComponent(threadId)}.${provider}`,
      header: {
        provider,
        protocol: fixtureProtocol(provider),
        version: status?.version ?? 'unknown',
        scenario: 'live',
        metadata: { threadId, runnerId: this.runnerId, epoch: this.control.epoch, startedAt: new Date().toISOString() },
      },
      warn: (msg, fields) => log.warn(msg, fields),
    })
  }

  /** Ends provider processes shared between sessions (the Codex app-server), within a bound. */
  private async shutdownAdapters(): Promise<void> {
    const { adapters, log } = this.deps
    await Promise.all(
      [...adapters.values()].map(async (adapter) => {
        if (!adapter.shutdown) return
        const bound = new Promise((resolve) => setTimeout(resolve, ADAPTER_SHUTDOWN_MS).unref())
        await Promise.race([adapter.shutdown(), bound]).catch((cause: unknown) => log.warn('adapter shutdown failed', { provider: adapter.provider, cause: String(cause) }))
      }),
    )
  }

  private closeSockets(): void {
    for (const { link } of this.threads.values()) link.stop()
    this.control.stop()
  }
}
