/**
 * @module One Loom thread's Codex session: its provider thread in a (shared) app-server
 * process, the turns it runs there, and the answers it owes Codex. Effects become JSON-RPC
 * requests; everything Codex says goes through {@link CodexEventMapper} to `options.emit`.
 */
import { AdapterError, type RequestRespond, type SessionOptions, type ThreadRollback, type TurnInterrupt, type TurnStart, type TurnSteer, type ProviderSession } from '../adapter.ts'
import { providerFailure, type RuntimeEvent } from '../../src/contracts/index.ts'
import { AnswerError, answerServerRequest, automaticAnswer, describeServerRequest } from './approvals.ts'
import type { CodexHome } from './codex-home.ts'
import type { CodexConnection, ConnectionListener } from './connection.ts'
import { rpcFailure, transportFailure } from './failure.ts'
import { toUserInput } from './input.ts'
import { codexTurnPolicy } from './policy.ts'
import type { CodexProcessPool } from './process-pool.ts'
import type { CodexNotification, ServerRequest, ServerRequestResult } from './protocol.ts'
import { CodexRpcError } from './rpc-error.ts'
import { CodexEventMapper } from './turn-mapper.ts'

/** What a session needs besides its options. */
export type CodexSessionDeps = {
  pool: CodexProcessPool
  home: CodexHome
  options: SessionOptions
  /** How long an interrupted turn may take to report its end before it is ended as interrupted. */
  interruptGraceMs: number
}

type Answer = { request: ServerRequest; resolve: (result: ServerRequestResult) => void }
type ForkSource = NonNullable<NonNullable<TurnStart['fork']>['providerThread']>

const RELEASE_REASONS = new Set(['idle_timeout', 'runtime_error', 'manual_shutdown', 'server_shutdown'])
const validation = (message: string, code: string): AdapterError => new AdapterError(providerFailure('validation_error', message, code, false))
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export class CodexSession implements ProviderSession, ConnectionListener {
  readonly log: SessionOptions['log']
  readonly #deps: CodexSessionDeps
  readonly #mapper: CodexEventMapper
  readonly #answers = new Map<string, Answer>()
  #connection: CodexConnection | null = null
  /** Whether the root thread is loaded in the current process (else the next turn resumes it). */
  #loaded = false
  #starting: Promise<unknown> | null = null
  #announcedModel: string | null | undefined = undefined
  #closed = false

  private constructor(deps: CodexSessionDeps) {
    this.#deps = deps
    this.log = deps.options.log
    this.#mapper = new CodexEventMapper({
      emit: (event) => this.#emit(event),
      delta: (itemId, text) => deps.options.delta(itemId, text),
      adopt: (threadId) => this.#connection?.own(threadId, this),
    })
  }

  /** Opens a session: joins (or starts) the app-server process and runs its handshake. */
  static async open(deps: CodexSessionDeps): Promise<CodexSession> {
    const session = new CodexSession(deps)
    await session.#connect()
    session.#announce(null)
    return session
  }

  async startTurn(effect: TurnStart): Promise<void> {
    this.#assertOpen()
    if (this.#mapper.active) throw validation(`codex: run ${this.#mapper.active.runId} is still running`, 'codex.turn_active')
    const started = this.#startTurn(effect)
    this.#starting = started
    try {
      await started
    } finally {
      if (this.#starting === started) this.#starting = null
    }
  }

  async steerTurn(effect: TurnSteer): Promise<void> {
    this.#assertOpen()
    const { connection, threadId, turnId } = await this.#running(effect.runId, effect.nativeTurnRef)
    try {
      // expectedTurnId makes Codex refuse to steer any other turn than the one Loom means.
      await connection.request(this, 'turn/steer', { threadId, expectedTurnId: turnId, input: toUserInput(effect.message) })
    } catch (error) {
      throw new AdapterError(rpcFailure(error, 'turn/steer'))
    }
  }

  async interruptTurn(effect: TurnInterrupt): Promise<void> {
    this.#assertOpen()
    const active = this.#mapper.active
    // Already ended: its terminal has been (or is being) reported.
    if (!active || active.runId !== effect.runId) return
    const { connection, threadId, turnId } = await this.#running(effect.runId, null)
    try {
      await connection.request(this, 'turn/interrupt', { threadId, turnId })
    } catch (error) {
      if (this.#mapper.active?.runId !== effect.runId) return
      throw new AdapterError(rpcFailure(error, 'turn/interrupt'))
    }
    // The acknowledgement is not the end: `turn/completed interrupted` is. If it never comes,
    // the run still ends rather than staying "running".
    setTimeout(() => {
      if (this.#mapper.active?.runId === effect.runId) this.#mapper.endActiveTurn('interrupted', null)
    }, this.#deps.interruptGraceMs).unref()
  }

  async respond(effect: RequestRespond): Promise<void> {
    this.#assertOpen()
    const answer = this.#answers.get(effect.nativeRequestRef)
    if (!answer) throw validation(`codex: request ${effect.nativeRequestRef} is not pending (answered, or its turn ended)`, 'codex.request_not_pending')
    let result: ServerRequestResult
    try {
      result = answerServerRequest(answer.request, effect.decision, effect.answers)
    } catch (error) {
      if (error instanceof AnswerError) throw validation(error.message, 'codex.bad_answer')
      throw error
    }
    this.#answers.delete(effect.nativeRequestRef)
    this.#mapper.requestAnswered(effect.nativeRequestRef)
    answer.resolve(result)
  }

  async rollback(effect: ThreadRollback): Promise<void> {
    this.#assertOpen()
    const threadId = effect.providerThread?.nativeThreadRef ?? this.#mapper.rootThreadId
    const beforeTurnId = effect.nativeTurnRefs[0]
    if (!threadId || beforeTurnId === undefined) return
    const connection = await this.#connect()
    try {
      // Codex drops beforeTurnId and every later turn; a running turn ends interrupted first.
      await connection.request(this, 'thread/revert', { threadId, beforeTurnId })
    } catch (error) {
      throw new AdapterError(rpcFailure(error, 'thread/revert'))
    }
    if (threadId !== this.#mapper.rootThreadId) {
      this.#mapper.bindThread(threadId)
      this.#loaded = false
    }
    connection.own(threadId, this)
  }

  async close(reason: string): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const connection = this.#connection
    const threadId = this.#mapper.rootThreadId
    if (connection?.alive && this.#mapper.active) await this.#stopActive(connection)
    if (connection?.alive && threadId && this.#loaded) {
      await connection.request(this, 'thread/unsubscribe', { threadId }).catch((error: unknown) => {
        console.warn(`[codex] thread/unsubscribe ${threadId}: ${error instanceof Error ? error.message : String(error)}`)
      })
    }
    this.#answers.clear()
    if (connection) {
      connection.detach(this)
      this.log.exit('success')
      this.#connection = null
      await this.#deps.pool.release(this.#deps.home.key, connection)
    }
    const released = RELEASE_REASONS.has(reason) ? (reason as Extract<RuntimeEvent, { type: 'session.released' }>['reason']) : 'manual_shutdown'
    this.#emit({ type: 'session.released', provider: 'codex', reason: released, failure: null })
  }

  // ConnectionListener

  notification(notification: CodexNotification): void {
    this.#mapper.notification(notification)
  }

  serverRequest(request: ServerRequest): Promise<ServerRequestResult> {
    const description = describeServerRequest(request)
    if (!description) {
      const auto = automaticAnswer(request)
      if ('result' in auto) return Promise.resolve(auto.result)
      this.#mapper.unhandledRequest(request)
      return Promise.reject(new CodexRpcError({ code: 'codex.protocol', message: auto.error, rpcCode: -32601 }))
    }
    const pending = this.#connection ? this.#mapper.openRequest(request, description, this.#connection.serial) : null
    // No live run to ask: decline rather than leave Codex waiting.
    if (!pending) return Promise.resolve(answerServerRequest(request, 'decline', {}))
    return new Promise((resolve) => this.#answers.set(pending.nativeRequestId, { request, resolve }))
  }

  claims(frame: CodexNotification | ServerRequest): boolean {
    return this.#mapper.claims(frame)
  }

  closed(error: CodexRpcError, expected: boolean): void {
    this.#connection = null
    this.#loaded = false
    this.#answers.clear()
    if (expected) return this.log.exit('success')
    this.log.exit('error', error.message)
    const failure = transportFailure(error.message)
    this.#mapper.transportLost(failure)
    this.#announcedModel = undefined
    this.#emit({ type: 'session.released', provider: 'codex', reason: 'runtime_error', failure })
  }

  // internals

  async #startTurn(effect: TurnStart): Promise<void> {
    const connection = await this.#connect()
    const model = effect.modelSelection.model
    const cwd = effect.worktreePath ?? this.#deps.options.cwd
    // A fork's first run starts from the source's conversation; every later run resumes its own.
    const fork = effect.providerThread === null ? effect.fork?.providerThread : null
    const threadId = fork
      ? await this.#forkThread(connection, fork, effect.fork?.throughNativeTurnRef ?? null, model, cwd)
      : await this.#ensureThread(connection, effect.providerThread?.nativeThreadRef ?? null, model, cwd)
    this.#emit({ type: 'provider-thread.bound', runId: effect.runId, provider: 'codex', nativeThreadId: threadId, nativeConversationHeadRef: null })
    this.#announce(model)
    const effort = effect.modelSelection.options?.reasoningEffort
    this.#mapper.beginTurn({ runId: effect.runId, attemptId: effect.attemptId })
    try {
      const { turn } = await connection.request(this, 'turn/start', {
        threadId,
        input: toUserInput(effect.message, effect.handoffText),
        cwd,
        model,
        ...(typeof effort === 'string' ? { effort } : {}),
        ...codexTurnPolicy(effect.runtimeMode, effect.interactionMode, model),
      })
      this.#mapper.turnAccepted(turn.id)
    } catch (error) {
      if (this.#mapper.active?.runId === effect.runId && this.#mapper.active.turnId === null) this.#mapper.abandonTurn()
      throw new AdapterError(rpcFailure(error, 'turn/start'))
    }
  }

  /** The Codex thread for a turn: the bound one, the one the effect names (resumed), or a new one. */
  async #ensureThread(connection: CodexConnection, ref: string | null, model: string, cwd: string): Promise<string> {
    const current = this.#mapper.rootThreadId
    if (ref !== null && ref !== current) this.#loaded = false
    const threadId = ref ?? current
    if (threadId !== null && this.#loaded) return threadId
    if (threadId !== null) {
      connection.own(threadId, this)
      try {
        await connection.request(this, 'thread/resume', { threadId, cwd, model, excludeTurns: true })
        return this.#bind(connection, threadId)
      } catch (error) {
        // A thread that never ran a turn has no rollout and nothing to resume: start afresh.
        const empty = error instanceof CodexRpcError && error.rpcCode !== undefined && /no rollout found/i.test(error.message)
        if (!empty) throw new AdapterError(rpcFailure(error, 'thread/resume'))
      }
    }
    try {
      const { thread } = await connection.request(this, 'thread/start', { cwd, model })
      return this.#bind(connection, thread.id)
    } catch (error) {
      throw new AdapterError(rpcFailure(error, 'thread/start'))
    }
  }

  /** A new Codex thread holding the source thread's history through `throughTurnId` (all of it when null). */
  async #forkThread(connection: CodexConnection, source: ForkSource, throughTurnId: string | null, model: string, cwd: string): Promise<string> {
    if (source.provider !== 'codex' || !source.nativeThreadRef) {
      throw new AdapterError(providerFailure('validation_error', `codex cannot fork a ${source.provider} conversation natively`, 'capability_unsupported', false))
    }
    try {
      // lastTurnId keeps the history through that turn, inclusive (docs/probes/codex.md (a)).
      const { thread } = await connection.request(this, 'thread/fork', {
        threadId: source.nativeThreadRef,
        ...(throughTurnId ? { lastTurnId: throughTurnId } : {}),
        cwd,
        model,
        excludeTurns: true,
      })
      return this.#bind(connection, thread.id)
    } catch (error) {
      throw new AdapterError(rpcFailure(error, 'thread/fork'))
    }
  }

  #bind(connection: CodexConnection, threadId: string): string {
    connection.own(threadId, this)
    this.#mapper.bindThread(threadId)
    this.#loaded = true
    return threadId
  }

  /** The running turn of `runId` with its Codex ids (waiting for a `turn/start` still in flight). */
  async #running(runId: string, expected: string | null): Promise<{ connection: CodexConnection; threadId: string; turnId: string }> {
    if (this.#mapper.active?.runId === runId && this.#mapper.active.turnId === null && this.#starting) {
      // A failed start is reported by startTurn itself; here it only means there is no turn.
      await this.#starting.then(
        () => undefined,
        () => undefined,
      )
    }
    const active = this.#mapper.active
    const connection = this.#connection
    const threadId = this.#mapper.rootThreadId
    if (!active || active.runId !== runId || active.turnId === null || !connection || !threadId) {
      throw validation(`codex: run ${runId} has no running turn`, 'codex.no_active_turn')
    }
    return { connection, threadId, turnId: expected ?? active.turnId }
  }

  /** Interrupts the running turn and waits (bounded) for its end before the session goes. */
  async #stopActive(connection: CodexConnection): Promise<void> {
    const active = this.#mapper.active
    const threadId = this.#mapper.rootThreadId
    if (!active || !threadId) return
    if (active.turnId !== null) {
      await connection.request(this, 'turn/interrupt', { threadId, turnId: active.turnId }).catch((error: unknown) => {
        console.warn(`[codex] turn/interrupt on close: ${error instanceof Error ? error.message : String(error)}`)
      })
    }
    const deadline = Date.now() + this.#deps.interruptGraceMs
    while (this.#mapper.active?.runId === active.runId && Date.now() < deadline) await delay(20)
    if (this.#mapper.active?.runId === active.runId) this.#mapper.endActiveTurn('interrupted', null)
  }

  async #connect(): Promise<CodexConnection> {
    if (this.#connection?.alive) return this.#connection
    const { pool, home } = this.#deps
    const connection = pool.acquire(home.key)
    connection.attach(this)
    this.#connection = connection
    this.#loaded = false
    try {
      await connection.initialize()
    } catch (error) {
      connection.detach(this)
      this.#connection = null
      await pool.release(home.key, connection)
      throw new AdapterError(rpcFailure(error, 'codex app-server initialize'))
    }
    return connection
  }

  #announce(model: string | null): void {
    if (this.#announcedModel !== undefined && (model === null || model === this.#announcedModel)) return
    this.#announcedModel = model
    this.#emit({ type: 'session.started', provider: 'codex', model })
  }

  #emit(event: RuntimeEvent): void {
    if (event.type === 'request.closed') this.#answers.delete(event.nativeRequestId)
    this.#deps.options.emit(event)
  }

  #assertOpen(): void {
    if (this.#closed) throw validation('codex: the session is closed', 'codex.session_closed')
  }
}
