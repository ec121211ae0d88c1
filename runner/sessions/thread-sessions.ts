/**
 * @module The session host of one thread: one `ProviderSession` per provider, opened lazily by
 * the first effect that needs it, and effects routed to session methods one at a time, in the
 * order the thread sent them. Session events pass through here on their way to the link:
 * validated, stamped with `at`, and an item's streamed text is sent before the item ends.
 */
import { join } from 'node:path'
import { mkdirSync } from 'node:fs'
import {
  RuntimeEvent,
  deriveId,
  providerFailure,
  type Effect,
  type ProviderKind,
} from '../../src/contracts/index.ts'
import type { ProviderAdapter, ProviderSession } from '../adapter.ts'
import type { NativeLog } from '../native-log.ts'
import type { Logger } from '../console-log.ts'
import type { LinkSink } from '../link/link-sink.ts'
import type { EffectOutcome } from '../link/effect-ledger.ts'
import { failureOf, hostError } from './failure-of.ts'
import { boundEventSize } from './event-size.ts'
import type { DiffText, ThreadCheckpoints } from '../checkpoints/thread-checkpoints.ts'
import { ThreadFiles } from '../checkpoints/thread-files.ts'

/** A session's native log; `flush` writes what it buffered, so a turn's frames are on disk when its end is reported. */
export type ClosableLog = NativeLog & { close: () => void; flush?: () => void }

export type ThreadSessionsOptions = {
  threadId: string
  adapters: ReadonlyMap<ProviderKind, ProviderAdapter>
  workspaceRoot: string
  /** Provider state lives in `<providersDir>/<provider>`, shared by the threads of this workspace. */
  providersDir: string
  providerEnv: Record<string, string>
  sink: LinkSink
  openLog: (threadId: string, provider: ProviderKind) => ClosableLog
  log: Logger
  /** The thread's files under git (worktree, baselines, checkpoints, rollback), where their diffs go, and how unsent ones are dropped when the thread is deleted; without it turns run in `workspaceRoot`. */
  checkpoints?: { files: ThreadCheckpoints; sendDiff: (diff: DiffText) => void; dropDiffs?: () => void }
}

type Open = { session: Promise<ProviderSession>; log: ClosableLog }
type ActiveRun = { provider: ProviderKind; attemptId: string; ordinal: number; checkpointed: boolean }

/** How long a session gets to close before the host stops waiting. */
const CLOSE_TIMEOUT_MS = 5000

export class ThreadSessions {
  private readonly options: ThreadSessionsOptions
  private readonly sessions = new Map<ProviderKind, Open>()
  /** Runs whose turn.start this host took and whose turn has not completed. */
  private readonly runs = new Map<string, ActiveRun>()
  private queue: Promise<unknown> = Promise.resolve()
  /** Events held back while an ended run's checkpoint is captured, so the checkpoint lands before the run's end. */
  private held: Array<[ProviderKind, RuntimeEvent]> | null = null
  private readonly files: ThreadFiles | null

  constructor(options: ThreadSessionsOptions) {
    this.options = options
    const { checkpoints, threadId, log } = options
    this.files = checkpoints ? new ThreadFiles({ threadId, log, checkpoints: checkpoints.files, sendDiff: checkpoints.sendDiff, dropDiffs: checkpoints.dropDiffs, report: (event) => this.deliver(event) }) : null
  }

  get activeRuns(): number {
    return this.runs.size
  }

  /** Carries out one effect after the ones before it; resolves with its outcome. */
  carryOut(effect: Effect): Promise<EffectOutcome> {
    const next = this.queue.then(async (): Promise<EffectOutcome> => {
      try {
        await this.route(effect)
        return { type: 'effect.completed', effectId: effect.effectId, at: Date.now() }
      } catch (cause) {
        return { type: 'effect.failed', effectId: effect.effectId, failure: failureOf(cause), at: Date.now() }
      }
    })
    this.queue = next
    return next
  }

  /** Closes every session (provider processes end), then ends runs no provider will finish now. */
  async closeAll(reason: string): Promise<void> {
    const open = [...this.sessions.entries()]
    this.sessions.clear()
    await Promise.all(open.map(([provider, entry]) => this.closeOne(provider, entry, reason)))
    for (const [runId, run] of this.runs) {
      // Its turn already ended and waits for its checkpoint: that end is the run's one end.
      if (this.held?.some(([, event]) => event.type === 'turn.completed' && event.runId === runId)) continue
      // No capture now: the runner is going, and the next run's checkpoint will show these files.
      run.checkpointed = false
      this.emitFor(run.provider, {
        type: 'turn.completed',
        runId,
        attemptId: run.attemptId,
        nativeTurnId: null,
        status: 'interrupted',
        failure: providerFailure('runner_lost', 'The runner shut down during the turn', 'runner_shutdown', true),
        usage: null,
        nativeConversationHeadRef: null,
      } as RuntimeEvent)
    }
  }

  private async route(effect: Effect): Promise<void> {
    const body = effect.body
    switch (body.kind) {
      case 'turn.start': {
        const provider = body.modelSelection.provider
        const { cwd, checkpointed } = this.files ? await this.files.beforeRun(body) : { cwd: body.worktreePath, checkpointed: false }
        const session = await this.open(provider, cwd)
        this.runs.set(body.runId, { provider, attemptId: body.attemptId, ordinal: body.runOrdinal, checkpointed })
        try {
          await session.startTurn(body)
        } catch (cause) {
          this.runs.delete(body.runId)
          throw cause
        }
        return
      }
      case 'turn.steer':
        return (await this.live(this.providerOfRun(body.runId))).steerTurn(body)
      case 'turn.interrupt':
        return (await this.live(this.providerOfRun(body.runId))).interruptTurn(body)
      case 'request.respond':
        return (await this.live(this.providerOfRequest(body.requestId))).respond(body)
      case 'thread.rollback': {
        const cwd = this.files ? await this.files.restore(body.ref) : null
        // Nothing to revert in a provider that never held this conversation.
        if (!body.providerThread) return
        return (await this.open(body.providerThread.provider, cwd)).rollback(body)
      }
      case 'session.close': {
        const entry = this.sessions.get(body.provider)
        if (entry) {
          this.sessions.delete(body.provider)
          await this.closeOne(body.provider, entry, body.reason)
        }
        // One close per live session; the worktree goes with the last (an archived thread keeps it).
        if (body.reason === 'thread_deleted' && this.sessions.size === 0) await this.files?.remove()
        return
      }
      default:
        throw hostError(`effect ${body.kind} is not for a runner`, 'effect_not_for_runner')
    }
  }

  /** After a run ended (completed, failed or interrupted): its checkpoint (and diffs), then the events held meanwhile, in order. */
  private async capture(runId: string, run: ActiveRun): Promise<void> {
    try {
      await this.files?.afterRun(runId, run.ordinal)
    } finally {
      const held = this.held ?? []
      this.held = null
      for (const [provider, event] of held) this.deliver(event, provider)
    }
  }

  private open(provider: ProviderKind, worktreePath: string | null): Promise<ProviderSession> {
    const existing = this.sessions.get(provider)
    if (existing) return existing.session
    const { adapters, threadId, workspaceRoot, providersDir, providerEnv, openLog, log } = this.options
    const adapter = adapters.get(provider)
    if (!adapter) return Promise.reject(hostError(`this runner has no ${provider} adapter`, 'provider_unavailable'))
    const stateDir = join(providersDir, provider)
    mkdirSync(stateDir, { recursive: true })
    const nativeLog = openLog(threadId, provider)
    const session = adapter.openSession({
      threadId,
      cwd: worktreePath ?? workspaceRoot,
      stateDir,
      providerEnv,
      emit: (event) => this.emitFor(provider, event),
      delta: (nativeItemId, text) => this.options.sink.delta(deriveId.item(provider, nativeItemId), text),
      log: nativeLog,
    })
    const entry: Open = { session, log: nativeLog }
    this.sessions.set(provider, entry)
    session.then(
      () => log.info('session opened', { threadId, provider }),
      (cause: unknown) => {
        log.warn('session failed to open', { threadId, provider, cause: String(cause) })
        if (this.sessions.get(provider) === entry) this.sessions.delete(provider)
        nativeLog.close()
      },
    )
    return session
  }

  private live(provider: ProviderKind | undefined): Promise<ProviderSession> {
    const entry = provider === undefined ? undefined : this.sessions.get(provider)
    if (!entry) return Promise.reject(hostError('no live provider session serves this turn', 'session_not_found'))
    return entry.session
  }

  private providerOfRun(runId: string): ProviderKind | undefined {
    return this.runs.get(runId)?.provider ?? this.onlySession()
  }

  /** Request ids are `request:<provider>:<native id>` (`deriveId.request`). */
  private providerOfRequest(requestId: string): ProviderKind | undefined {
    const provider = decodeURIComponent(requestId.split(':')[1] ?? '')
    return this.options.adapters.has(provider as ProviderKind) ? (provider as ProviderKind) : this.onlySession()
  }

  private onlySession(): ProviderKind | undefined {
    return this.sessions.size === 1 ? [...this.sessions.keys()][0] : undefined
  }

  /** The adapter reports `session.released` itself when it closes. */
  private async closeOne(provider: ProviderKind, entry: Open, reason: string): Promise<void> {
    const { threadId, log } = this.options
    try {
      const session = await entry.session
      await Promise.race([session.close(reason), new Promise((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref())])
      log.info('session closed', { threadId, provider, reason })
    } catch (cause) {
      log.warn('session did not close cleanly', { threadId, provider, reason, cause: String(cause) })
    } finally {
      entry.log.close()
    }
  }

  /** Validates and stamps a session's event, sends an ending item's text first, and tracks turns. */
  private emitFor(provider: ProviderKind, event: RuntimeEvent): void {
    const { sink, log, threadId } = this.options
    const parsed = RuntimeEvent.safeParse(event.at === undefined ? { ...event, at: Date.now() } : event)
    if (!parsed.success) {
      log.error('dropped a runtime event that breaks the contract', {
        threadId,
        provider,
        type: String((event as { type?: unknown }).type),
        issues: JSON.stringify(parsed.error.issues.slice(0, 5).map((i) => ({ path: i.path.join('.'), message: i.message }))),
      })
      return
    }
    const bounded = boundEventSize(parsed.data)
    if (bounded.cut > 0) log.warn('cut an event too large to store', { threadId, provider, type: bounded.event.type, strings: bounded.cut })
    const valid = bounded.event
    if (this.held) {
      this.held.push([provider, valid])
      return
    }
    // Whatever the turn's status: the files a failed or interrupted run left are its own, not the next run's.
    if (valid.type === 'turn.completed') {
      const run = this.runs.get(valid.runId)
      if (run?.checkpointed && run.attemptId === valid.attemptId) {
        this.held = [[provider, valid]]
        void this.capture(valid.runId, run)
        return
      }
    }
    this.deliver(valid, provider)
  }

  /** Sends an event on: an ending item's text first, turns tracked. The host's own events have no provider. */
  private deliver(valid: RuntimeEvent, provider: ProviderKind | null = null): void {
    const { sink, log, threadId } = this.options
    if (valid.type === 'item.updated' && valid.status !== 'running' && provider) sink.endItem(deriveId.item(provider, valid.nativeItemId))
    if (valid.type === 'turn.started') log.info('turn running', { threadId, provider, runId: valid.runId })
    if (valid.type === 'turn.completed') {
      sink.flushDeltas()
      // A finished turn can be saved as a fixture at once: its native frames are written first.
      for (const entry of this.sessions.values()) entry.log.flush?.()
      const run = this.runs.get(valid.runId)
      if (run && run.attemptId === valid.attemptId) this.runs.delete(valid.runId)
      log.info('turn done', { threadId, provider, runId: valid.runId, status: valid.status })
    }
    sink.emit(valid)
  }
}
