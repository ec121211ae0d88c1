/**
 * @module One Claude provider session: one streaming-input query at a time for one Loom
 * thread, opened with `sessionId` for a new conversation and with `resume` ever after (also
 * after an idle release or in a new runner process), and with `resumeSessionAt` after a
 * rollback. It turns effects into pushes on the query and SDK messages into runtime events.
 */
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import type { Options, PermissionResult, SDKMessage } from '@anthropic-ai/claude-agent-sdk'
import { providerFailure, type ProviderFailure, type RuntimeEvent } from '../../src/contracts/index.ts'
import { AdapterError, type ProviderSession, type RequestRespond, type SessionOptions, type ThreadRollback, type TurnInterrupt, type TurnStart, type TurnSteer } from '../adapter.ts'
import { ActiveTurn } from './active-turn.ts'
import { ClaudeQuery, type QueryFn } from './claude-query.ts'
import { claudeModel, claudeProcessEnv, runningAsRoot } from './env.ts'
import { thrownFailure } from './failure.ts'
import { rec, str } from './json.ts'
import { MessageMapper, type Emission } from './message-mapper.ts'
import { decisionResult, denial, requestOpened, type PermissionAsk } from './permissions.ts'
import { claudePolicy, FILE_CHANGE_TOOLS, type ClaudePolicy } from './policy.ts'
import { consumedUuids, resultOutcome, resultUsage } from './result.ts'
import { emptyState, SessionStateStore, type SessionState } from './session-state.ts'
import { sdkUserMessage } from './user-message.ts'

export type ClaudeSessionConfig = {
  /** How long an interrupt may take before the run is ended `interrupted` by force (default 5 s). */
  interruptGraceMs?: number
  /** The SDK's `query` (a replay runner in tests). */
  queryFn?: QueryFn
}

type Live = { query: ClaudeQuery; key: string }

const invalid = (message: string, code: string) => new AdapterError(providerFailure('validation_error', message, code, false))

const releaseReason = (reason: string): 'idle_timeout' | 'manual_shutdown' | 'server_shutdown' =>
  reason === 'idle_timeout' ? 'idle_timeout' : reason === 'server_shutdown' || reason === 'shutdown' ? 'server_shutdown' : 'manual_shutdown'

export class ClaudeSession implements ProviderSession {
  private readonly store: SessionStateStore
  private state: SessionState
  private live: Live | null = null
  private turn: ActiveTurn | null = null
  /** The mapper of the current run, kept after it ends for background work that reports late. */
  private mapper: MessageMapper | null = null
  private readonly interruptGraceMs: number

  private readonly o: SessionOptions
  private readonly config: ClaudeSessionConfig

  constructor(o: SessionOptions, config: ClaudeSessionConfig = {}) {
    this.o = o
    this.config = config
    // The state dir is shared by every thread of the runner: one cursor file per thread.
    this.store = new SessionStateStore(join(o.stateDir, 'sessions', `${encodeURIComponent(o.threadId)}.json`))
    this.state = this.store.load()
    this.interruptGraceMs = config.interruptGraceMs ?? 5000
  }

  async startTurn(effect: TurnStart): Promise<void> {
    if (this.turn) throw invalid(`a turn is already running in this Claude session (${this.turn.nativeTurnId})`, 'turn_active')
    const policy = claudePolicy(effect.runtimeMode, effect.interactionMode)
    const model = claudeModel(this.o.providerEnv, effect.modelSelection.model)
    this.selectSession(effect.providerThread)
    if (effect.providerThread === null && effect.fork?.providerThread) this.startFork(effect.fork.providerThread)
    const sessionId = this.state.sessionId ?? randomUUID()
    this.state.sessionId = sessionId
    const key = JSON.stringify([sessionId, policy, model, this.o.cwd])
    if (this.live && (this.live.key !== key || this.live.query.ended || this.state.resumeAt)) await this.closeLive()
    if (!this.live) this.live = { query: this.open(sessionId, policy, model), key }

    const headBefore = this.state.resumeAt ?? this.state.forkFrom?.at ?? this.state.head ?? effect.providerThread?.nativeConversationHeadRef ?? null
    const turn = new ActiveTurn(effect.runId, effect.attemptId, policy)
    this.turn = turn
    this.mapper = new MessageMapper(effect.runId, this.o.cwd, headBefore)
    this.emit({ type: 'provider-thread.bound', runId: effect.runId, provider: 'claude', nativeThreadId: sessionId, nativeConversationHeadRef: headBefore })
    this.emit({ type: 'turn.started', runId: effect.runId, attemptId: effect.attemptId, nativeTurnId: turn.nativeTurnId })

    const uuid = randomUUID()
    turn.pushed(uuid, false)
    this.state = { ...this.state, started: true, resumeAt: null, forkFrom: null, turnHeads: { ...this.state.turnHeads, [turn.nativeTurnId]: headBefore } }
    this.store.save(this.state)
    this.live.query.offer(sdkUserMessage(effect.message, { uuid, handoffText: effect.handoffText }))
  }

  async steerTurn(effect: TurnSteer): Promise<void> {
    const turn = this.turn
    if (!turn || turn.runId !== effect.runId || !this.live) throw invalid('no running Claude turn to steer', 'turn_not_running')
    if (turn.interruptRequested) throw invalid('the Claude turn is being interrupted', 'turn_interrupting')
    const uuid = randomUUID()
    turn.pushed(uuid, true)
    this.live.query.offer(sdkUserMessage(effect.message, { uuid, priority: 'now' }))
  }

  async interruptTurn(effect: TurnInterrupt): Promise<void> {
    const turn = this.turn
    // A turn that already ended has reported its terminal; nothing is left to stop.
    if (!turn || turn.runId !== effect.runId || turn.interruptRequested) return
    this.requestInterrupt(turn)
    await this.live?.query.interrupt(this.interruptGraceMs)
  }

  async respond(effect: RequestRespond): Promise<void> {
    const turn = this.turn
    const pending = turn?.asks.get(effect.nativeRequestRef)
    if (!turn || !pending) throw invalid(`no pending Claude request ${effect.nativeRequestRef}`, 'request_not_pending')
    turn.asks.delete(effect.nativeRequestRef)
    const { result, interrupt } = decisionResult(effect.decision, pending.ask, effect.answers)
    if (result.behavior === 'deny') this.mapper?.markDenied(pending.ask.toolUseID)
    if (interrupt) this.requestInterrupt(turn)
    this.emit({ type: 'request.closed', nativeRequestId: effect.nativeRequestRef, status: 'resolved', reason: 'answered' })
    pending.answer(result)
  }

  async rollback(effect: ThreadRollback): Promise<void> {
    if (this.turn) throw invalid('a rollback waits until the Claude turn has ended', 'turn_active')
    await this.closeLive()
    const handle = effect.providerThread
    if (!handle) {
      this.state = { ...emptyState(), abandoned: this.abandon(this.state.sessionId) }
      this.store.save(this.state)
      return
    }
    const first = effect.nativeTurnRefs[0]
    if (first === undefined) return
    if (!(first in this.state.turnHeads)) throw invalid(`no conversation cursor was recorded for Claude turn ${first}`, 'rollback_cursor_unknown')
    const cursor = this.state.turnHeads[first] ?? null
    const turnHeads = { ...this.state.turnHeads }
    for (const ref of effect.nativeTurnRefs) delete turnHeads[ref]
    const sessionId = handle.nativeThreadRef ?? this.state.sessionId
    this.state =
      cursor === null
        ? { ...emptyState(), turnHeads, abandoned: this.abandon(sessionId) }
        : { ...this.state, sessionId, started: true, resumeAt: cursor, head: cursor, turnHeads }
    this.store.save(this.state)
  }

  async close(reason: string): Promise<void> {
    if (this.turn) this.finishTurn(this.turn, 'interrupted', null)
    await this.closeLive()
    this.emit({ type: 'session.released', provider: 'claude', reason: releaseReason(reason), failure: null })
  }

  /** Picks the session the next open uses: the provider thread's, else ours if still unused, else a new one. */
  private selectSession(handle: TurnStart['providerThread']): void {
    const ref = handle?.nativeThreadRef ?? null
    if (ref && !this.state.abandoned.includes(ref)) {
      if (ref !== this.state.sessionId) {
        this.state = { ...emptyState(), sessionId: ref, started: true, head: handle?.nativeConversationHeadRef ?? null, turnHeads: this.state.turnHeads, abandoned: this.state.abandoned }
      }
      return
    }
    if (this.state.sessionId && !this.state.started && !this.state.abandoned.includes(this.state.sessionId)) return
    this.state = { ...emptyState(), turnHeads: this.state.turnHeads, abandoned: this.state.abandoned }
  }

  /**
   * A fork's first run: a new session id of ours, opened by resuming the source session with
   * `forkSession` at the source's head after the fork point (docs/probes/claude.md (c): the
   * fork keeps the source's uuids, so later rollbacks in the fork find their cursors).
   */
  private startFork(source: NonNullable<NonNullable<TurnStart['fork']>['providerThread']>): void {
    if (source.provider !== 'claude' || !source.nativeThreadRef) {
      throw new AdapterError(providerFailure('validation_error', `claude cannot fork a ${source.provider} conversation natively`, 'capability_unsupported', false))
    }
    if (!source.nativeConversationHeadRef) {
      throw new AdapterError(providerFailure('validation_error', 'claude forks at an assistant message; the fork point has none recorded', 'capability_unsupported', false))
    }
    this.state = { ...emptyState(), sessionId: randomUUID(), forkFrom: { sessionId: source.nativeThreadRef, at: source.nativeConversationHeadRef }, turnHeads: this.state.turnHeads, abandoned: this.state.abandoned }
  }

  private abandon(sessionId: string | null): string[] {
    return sessionId ? [...this.state.abandoned.filter((id) => id !== sessionId), sessionId].slice(-50) : this.state.abandoned
  }

  private open(sessionId: string, policy: ClaudePolicy, model: string): ClaudeQuery {
    const options: Options = {
      cwd: this.o.cwd,
      model,
      permissionMode: policy.permissionMode,
      settingSources: [],
      includePartialMessages: true,
      env: claudeProcessEnv(this.o.stateDir, this.o.providerEnv, policy.allowDangerouslySkipPermissions && runningAsRoot()),
    }
    if (policy.allowDangerouslySkipPermissions) options.allowDangerouslySkipPermissions = true
    if (!this.state.started) {
      options.sessionId = sessionId
      const fork = this.state.forkFrom
      if (fork) {
        options.resume = fork.sessionId
        options.forkSession = true
        if (fork.at) options.resumeSessionAt = fork.at
      }
    } else {
      options.resume = sessionId
      if (this.state.resumeAt) options.resumeSessionAt = this.state.resumeAt
    }
    const query: ClaudeQuery = new ClaudeQuery({
      options,
      log: this.o.log,
      queryFn: this.config.queryFn,
      onAsk: policy.canUseTool ? (ask, signal) => this.onAsk(ask, signal) : null,
      onMessage: (message) => this.onMessage(query, message),
      onEnd: (error, intentional) => this.onEnd(query, error, intentional),
    })
    this.emit({ type: 'session.started', provider: 'claude', model })
    return query
  }

  private async closeLive(): Promise<void> {
    const live = this.live
    this.live = null
    if (live) await live.query.close()
  }

  private onMessage(query: ClaudeQuery, message: SDKMessage): void {
    if (this.live?.query !== query) return
    const frame = rec(message)
    if (frame.type === 'system' && frame.subtype === 'init') return this.onInit(str(frame.session_id))
    if (frame.type === 'result') return this.onResult(frame)
    if (this.mapper) this.out(this.mapper.map(message))
  }

  /** A new session id here means the CLI forked or replaced the session: rebind the run to it. */
  private onInit(sessionId: string | null): void {
    if (!sessionId || sessionId === this.state.sessionId) return
    this.state = { ...this.state, sessionId, started: true }
    this.store.save(this.state)
    const turn = this.turn
    if (turn) this.emit({ type: 'provider-thread.bound', runId: turn.runId, provider: 'claude', nativeThreadId: sessionId, nativeConversationHeadRef: this.mapper?.head ?? null })
  }

  private onResult(result: Record<string, unknown>): void {
    const turn = this.turn
    if (!turn) {
      this.saveHead()
      return
    }
    if (!turn.settle(consumedUuids(result), resultUsage(result))) return
    const outcome = resultOutcome(result, { interruptRequested: turn.interruptRequested, apiError: this.mapper?.apiError ?? null })
    this.finishTurn(turn, outcome.status, outcome.failure)
  }

  private onEnd(query: ClaudeQuery, error: unknown, intentional: boolean): void {
    if (this.live?.query !== query) return
    this.live = null
    const failure = intentional ? null : error ? thrownFailure(error, query.stderrTail()) : providerFailure('provider_error', 'Claude Code ended the session unexpectedly', 'query_ended', true)
    const turn = this.turn
    if (turn) {
      if (turn.interruptRequested || intentional) this.finishTurn(turn, 'interrupted', null)
      else this.finishTurn(turn, 'failed', failure)
    }
    if (failure) this.emit({ type: 'session.released', provider: 'claude', reason: 'runtime_error', failure })
  }

  private async onAsk(ask: PermissionAsk, signal: AbortSignal): Promise<PermissionResult> {
    const turn = this.turn
    if (!turn || signal.aborted) return denial(ask, 'No Loom run is waiting for this tool call.')
    if (turn.policy.plan && (FILE_CHANGE_TOOLS.has(ask.toolName) || ask.toolName === 'ExitPlanMode')) {
      this.mapper?.markDenied(ask.toolUseID)
      return ask.toolName === 'ExitPlanMode'
        ? denial(ask, 'The plan was shown to the user. Stop here and wait for their answer.')
        : denial(ask, 'Plan mode: files may not be changed until the user accepts a plan.')
    }
    this.emit(requestOpened(turn.runId, ask))
    return new Promise<PermissionResult>((resolve) => {
      turn.asks.set(ask.toolUseID, { ask, answer: resolve })
      signal.addEventListener(
        'abort',
        () => {
          if (!turn.asks.delete(ask.toolUseID)) return
          this.emit({ type: 'request.closed', nativeRequestId: ask.toolUseID, status: 'cancelled', reason: turn.interruptRequested ? 'run_interrupted' : 'provider' })
          resolve(denial(ask, 'The tool call was aborted.'))
        },
        { once: true },
      )
    })
  }

  private requestInterrupt(turn: ActiveTurn): void {
    turn.interruptRequested = true
    if (turn.forceTimer) return
    turn.forceTimer = setTimeout(() => {
      if (this.turn !== turn) return
      // The SDK did not end the turn in time: end the run here and drop the unresponsive CLI.
      this.finishTurn(turn, 'interrupted', null)
      this.closeLive().catch((error: unknown) => this.o.log.exit('error', `closing after a forced interrupt: ${String(error)}`))
    }, this.interruptGraceMs)
  }

  private finishTurn(turn: ActiveTurn, status: 'completed' | 'interrupted' | 'failed', failure: ProviderFailure | null): void {
    if (this.turn !== turn) return
    this.turn = null
    if (turn.forceTimer) clearTimeout(turn.forceTimer)
    if (this.mapper) this.out(this.mapper.finish(status))
    for (const [id, pending] of turn.asks) {
      this.emit({ type: 'request.closed', nativeRequestId: id, status: 'cancelled', reason: status === 'interrupted' ? 'run_interrupted' : 'turn_ended' })
      pending.answer(denial(pending.ask, 'The turn has ended.'))
    }
    turn.asks.clear()
    const head = this.saveHead()
    if (turn.usage) this.emit({ type: 'usage.updated', runId: turn.runId, usage: turn.usage })
    this.emit({
      type: 'turn.completed',
      runId: turn.runId,
      attemptId: turn.attemptId,
      nativeTurnId: turn.nativeTurnId,
      status,
      failure,
      usage: turn.usage,
      nativeConversationHeadRef: head,
    })
  }

  private saveHead(): string | null {
    const head = this.mapper?.head ?? this.state.head
    if (head !== this.state.head) {
      this.state = { ...this.state, head }
      this.store.save(this.state)
    }
    return head
  }

  private emit(event: RuntimeEvent): void {
    this.o.emit(event)
  }

  private out(emissions: Emission[]): void {
    for (const e of emissions) {
      if (e.kind === 'event') this.o.emit(e.event)
      else this.o.delta(e.itemId, e.text)
    }
  }
}
