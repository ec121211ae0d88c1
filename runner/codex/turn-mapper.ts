/**
 * @module Codex app-server notifications → canonical runtime events, for one session (its root
 * thread and the sub-agent threads its turns spawn). A deterministic state machine with no I/O:
 * tests feed it recorded frames. Only the root turn the session started ends a run; child turns
 * update their sub-agent. Items a turn leaves open (a steered or interrupted stream) and
 * requests it leaves pending are closed when it ends. A notification the mapping does not
 * know becomes a visible `generic` item of the run it belongs to.
 */
import { createHash } from 'node:crypto'
import type { ProviderFailure, RunAttemptId, RunId, RuntimeEvent, RuntimeItemContent } from '../../src/contracts/index.ts'
import { providerFailure } from '../../src/contracts/index.ts'
import type { ThreadItem, TurnError, TurnStatus } from '../generated/codex/v2/index.ts'
import type { RequestDescription } from './approvals.ts'
import { BOUND, clip, clipTail, summarize } from './bounds.ts'
import { turnFailure } from './failure.ts'
import { mapThreadItem, type AnyThreadItem, type ItemStatus } from './items.ts'
import { DELTAS, IGNORED, type DeltaKind } from './notification-kinds.ts'
import { nativeRequestIdOf, PendingRequests, type PendingRequest } from './pending-requests.ts'
import type { CodexNotification, ServerRequest } from './protocol.ts'
import { emptyContent, withStreamed } from './streamed-content.ts'
import { SubagentTracker } from './subagents.ts'
import { RunUsage } from './usage.ts'

/** Where the mapper's output goes. */
export type MapperSink = {
  emit(event: RuntimeEvent): void
  delta(nativeItemId: string, text: string): void
  /** A sub-agent thread now belongs to this session (route its frames here). */
  adopt(threadId: string): void
}

export type RunRef = { runId: RunId; attemptId: RunAttemptId }

type RunStatus = Extract<RuntimeEvent, { type: 'turn.completed' }>['status']
type ActiveTurn = RunRef & { turnId: string | null; usage: RunUsage; lastError: TurnError | null }
type Owner = { runId: RunId; parent: string | null; child: boolean }

/** An item that has started and not ended, with the text its deltas delivered so far. */
type OpenItem = {
  runId: RunId
  threadId: string
  turnId: string | null
  parent: string | null
  content: RuntimeItemContent
  streamed: string
  /** Reasoning is shown only once it has text; empty reasoning items are never emitted. */
  emitted: boolean
}

const RUN_STATUS: Record<TurnStatus, RunStatus> = { completed: 'completed', interrupted: 'interrupted', failed: 'failed', inProgress: 'failed' }

const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 12)

export class CodexEventMapper {
  readonly #sink: MapperSink
  readonly #requests: PendingRequests
  readonly #subagents: SubagentTracker
  /** Root turn id → run, for frames that arrive after a run's terminal. */
  readonly #turnRuns = new Map<string, RunId>()
  readonly #open = new Map<string, OpenItem>()
  #rootThreadId: string | null = null
  #active: ActiveTurn | null = null
  #notices = 0

  constructor(sink: MapperSink) {
    this.#sink = sink
    this.#requests = new PendingRequests((event) => sink.emit(event))
    this.#subagents = new SubagentTracker((event) => sink.emit(event), (threadId) => sink.adopt(threadId))
  }

  get rootThreadId(): string | null {
    return this.#rootThreadId
  }

  /** The running root turn: its run and, once known, its Codex turn id. */
  get active(): Readonly<RunRef & { turnId: string | null }> | null {
    return this.#active
  }

  /** The Codex thread this session's runs use. */
  bindThread(threadId: string): void {
    this.#rootThreadId = threadId
  }

  /** A `turn/start` is about to be sent for `run`; frames of its turn belong to it. */
  beginTurn(run: RunRef): void {
    if (this.#active) throw new Error(`codex: run ${this.#active.runId} is still running`)
    this.#active = { ...run, turnId: null, usage: new RunUsage(), lastError: null }
  }

  /**
   * The turn id of the active run, from the `turn/start` answer or `turn/started`, whichever the
   * session sees first: `turn.started` goes out before any item of the turn.
   */
  turnAccepted(turnId: string): void {
    const active = this.#active
    if (!active || active.turnId !== null) return
    active.turnId = turnId
    this.#turnRuns.set(turnId, active.runId)
    this.#sink.emit({ type: 'turn.started', runId: active.runId, attemptId: active.attemptId, nativeTurnId: turnId })
  }

  /** `turn/start` failed: the run never had a turn (the host fails it through the effect). */
  abandonTurn(): void {
    this.#active = null
  }

  /** Whether a frame about an unowned thread is about one of this session's sub-agents. */
  claims(frame: CodexNotification | ServerRequest): boolean {
    const p = frame.params as { turn?: { rootTurnId?: unknown }; thread?: { parentThreadId?: unknown } }
    const rootTurn = p.turn?.rootTurnId
    if (frame.method === 'turn/started' && typeof rootTurn === 'string') return this.#runOfRootTurn(rootTurn) !== null
    const parent = p.thread?.parentThreadId
    return frame.method === 'thread/started' && typeof parent === 'string' && (parent === this.#rootThreadId || this.#subagents.get(parent) !== undefined)
  }

  /** Maps one notification (routed to this session) to runtime events. */
  notification(n: CodexNotification): void {
    const delta = DELTAS[n.method]
    if (delta) {
      const p = n.params as { threadId: string; turnId: string; itemId: string; delta: string }
      return this.#delta(p.threadId, p.turnId, p.itemId, p.delta, delta)
    }
    switch (n.method) {
      case 'turn/started':
        return this.#turnStarted(n.params.threadId, n.params.turn.id, n.params.turn.rootTurnId)
      case 'turn/completed':
        return this.#turnCompleted(n.params.threadId, n.params.turn.id, n.params.turn.status, n.params.turn.error)
      case 'item/started':
        return this.#item(n.params.threadId, n.params.turnId, n.params.item, 'started')
      case 'item/completed':
        return this.#item(n.params.threadId, n.params.turnId, n.params.item, 'completed')
      case 'item/fileChange/patchUpdated': {
        const open = this.#open.get(n.params.itemId)
        if (!open) return
        const mapped = mapThreadItem({ type: 'fileChange', id: n.params.itemId, changes: n.params.changes, status: 'inProgress' }, 'started')
        if (mapped) this.#emitItem(n.params.itemId, open, 'running', (open.content = mapped.content))
        return
      }
      case 'turn/plan/updated':
        return this.#todo(n.params.threadId, n.params.turnId, n.params.plan, n.params.explanation)
      case 'thread/tokenUsage/updated': {
        const active = this.#active
        if (!active || n.params.threadId !== this.#rootThreadId || (active.turnId !== null && n.params.turnId !== active.turnId)) return
        const usage = active.usage.update(n.params.tokenUsage.total, n.params.tokenUsage.last)
        if (usage) this.#sink.emit({ type: 'usage.updated', runId: active.runId, usage })
        return
      }
      case 'error':
        return this.#error(n.params.threadId, n.params.turnId, n.params.error, n.params.willRetry)
      case 'serverRequest/resolved':
        return this.#requests.resolved(n.params.threadId, n.params.requestId)
      default:
        if (IGNORED.has(n.method)) return
        return this.#notice(n.method, n.params)
    }
  }

  /**
   * Opens the runtime request for a server request of an owned thread. Returns null when the
   * run it belongs to is no longer active: nobody could answer it, so the session declines it.
   */
  openRequest(request: ServerRequest, description: RequestDescription, connectionSerial: number): PendingRequest | null {
    const owner = this.#owner(description.threadId, description.turnId)
    if (!owner || !this.#active || owner.runId !== this.#active.runId) return null
    const nativeRequestId = nativeRequestIdOf(description.turnId, request.id, connectionSerial)
    const pending: PendingRequest = { nativeRequestId, rpcId: request.id, runId: owner.runId, threadId: description.threadId, turnId: description.turnId, answered: false }
    this.#requests.add(pending)
    const item = description.nativeItemId ? this.#open.get(description.nativeItemId) : undefined
    const detail = item?.content.type === 'file_change' ? { ...description.detail, changes: item.content.changes.map((c) => ({ ...c, diff: c.diff === null ? null : clip(c.diff, 20_000) })) } : description.detail
    this.#sink.emit({
      type: 'request.opened',
      runId: owner.runId,
      nativeRequestId,
      nativeItemId: description.nativeItemId,
      kind: description.kind,
      prompt: description.prompt,
      detail,
      questions: description.questions,
      availableDecisions: description.availableDecisions,
    })
    return pending
  }

  pendingRequest(nativeRequestId: string): PendingRequest | undefined {
    return this.#requests.get(nativeRequestId)
  }

  requestAnswered(nativeRequestId: string): void {
    this.#requests.markAnswered(nativeRequestId)
  }

  /** Ends the active run without Codex's terminal (the process died, or it never answered an interrupt). */
  endActiveTurn(status: RunStatus, failure: ProviderFailure | null): void {
    const active = this.#active
    if (active) this.#finish(active, status, failure)
  }

  /** The app-server process ended: the running turn fails, open requests and sub-agents end. */
  transportLost(failure: ProviderFailure): void {
    this.endActiveTurn('failed', failure)
    this.#requests.closeAll()
    for (const [id, open] of this.#open) this.#closeItem(id, open, 'failed')
    this.#subagents.transportLost()
  }

  #runOfRootTurn(turnId: string): RunId | null {
    if (this.#active && (this.#active.turnId === turnId || this.#active.turnId === null)) return this.#active.runId
    return this.#turnRuns.get(turnId) ?? null
  }

  /** The run (and parent item) a frame of `threadId` / `turnId` belongs to. */
  #owner(threadId: string | null, turnId: string | null): Owner | null {
    if (threadId !== null && threadId === this.#rootThreadId) {
      const runId = turnId === null ? (this.#active?.runId ?? null) : this.#runOfRootTurn(turnId)
      return runId === null ? null : { runId, parent: null, child: false }
    }
    const child = threadId === null ? undefined : this.#subagents.get(threadId)
    if (child) return { runId: child.runId, parent: child.parentItemId, child: true }
    return threadId === null && this.#active ? { runId: this.#active.runId, parent: null, child: false } : null
  }

  #turnStarted(threadId: string, turnId: string, rootTurnId: string | null): void {
    if (threadId === this.#rootThreadId) return this.turnAccepted(turnId)
    const runId = this.#subagents.get(threadId)?.runId ?? (rootTurnId ? this.#runOfRootTurn(rootTurnId) : null)
    if (runId === null) return
    this.#subagents.ensure(threadId, runId)
    this.#subagents.turnStarted(threadId)
  }

  #turnCompleted(threadId: string, turnId: string, status: TurnStatus, error: TurnError | null): void {
    if (threadId !== this.#rootThreadId) {
      if (!this.#subagents.get(threadId)) return
      this.#closeOpen(threadId, turnId, RUN_STATUS[status] ?? 'failed')
      this.#requests.closeTurn(threadId, turnId, status === 'interrupted' ? 'run_interrupted' : 'turn_ended')
      return this.#subagents.turnCompleted(threadId, status)
    }
    const active = this.#active
    // Another root turn (an earlier one, or one Loom did not start) never ends the active run.
    if (!active || (active.turnId !== null && active.turnId !== turnId)) return
    this.turnAccepted(turnId)
    const runStatus = RUN_STATUS[status] ?? 'failed'
    const failure =
      runStatus !== 'failed'
        ? null
        : status === 'inProgress'
          ? providerFailure('provider_error', 'Codex reported the turn completed while still in progress', 'codex.turn_in_progress', null)
          : turnFailure(error ?? active.lastError ?? { message: 'Codex reported a failed turn', codexErrorInfo: null, additionalDetails: null })
    this.#finish(active, runStatus, failure)
  }

  #finish(active: ActiveTurn, status: RunStatus, failure: ProviderFailure | null): void {
    const root = this.#rootThreadId
    if (root !== null) {
      this.#closeOpen(root, active.turnId, status)
      this.#requests.closeTurn(root, active.turnId, status === 'interrupted' ? 'run_interrupted' : 'turn_ended')
    }
    this.#active = null
    this.#sink.emit({
      type: 'turn.completed',
      runId: active.runId,
      attemptId: active.attemptId,
      nativeTurnId: active.turnId,
      status,
      failure,
      usage: active.usage.current,
      nativeConversationHeadRef: active.turnId,
    })
  }

  /** Ends the items a turn left open: a completed turn abandoned them (steering drops a stream). */
  #closeOpen(threadId: string, turnId: string | null, status: RunStatus): void {
    for (const [id, open] of [...this.#open]) {
      if (open.threadId !== threadId || (turnId !== null && open.turnId !== null && open.turnId !== turnId)) continue
      // A plan or a retry notice simply ends with its turn; anything else was cut short.
      const lasting = open.content.type === 'todo_list' || open.content.type === 'error'
      const itemStatus: ItemStatus = status === 'completed' ? (lasting ? 'completed' : 'cancelled') : status
      this.#closeItem(id, open, itemStatus)
    }
  }

  #closeItem(id: string, open: OpenItem, status: ItemStatus): void {
    this.#open.delete(id)
    if (!open.emitted && open.streamed.length === 0) return
    this.#emitItem(id, open, status, withStreamed(open.content, open.streamed))
  }

  #emitItem(id: string, open: OpenItem, status: ItemStatus, content: RuntimeItemContent): void {
    open.emitted = true
    this.#sink.emit({ type: 'item.updated', runId: open.runId, nativeItemId: id, parentNativeItemId: open.parent, status, content })
  }

  #item(threadId: string, turnId: string, item: AnyThreadItem, phase: 'started' | 'completed'): void {
    const owner = this.#owner(threadId, turnId)
    if (!owner) return
    const id = typeof item.id === 'string' && item.id.length > 0 ? item.id : `${turnId}:${item.type}:${++this.#notices}`
    if (item.type === 'collabAgentToolCall') this.#subagents.collab(item as Extract<ThreadItem, { type: 'collabAgentToolCall' }>, owner.runId)
    if (item.type === 'subAgentActivity') this.#subagents.activity(item as Extract<ThreadItem, { type: 'subAgentActivity' }>, owner.runId)
    const mapped = mapThreadItem(item, phase)
    if (!mapped) return
    const known = this.#open.get(id)
    const open: OpenItem = known ?? { runId: owner.runId, threadId, turnId, parent: owner.parent, content: mapped.content, streamed: '', emitted: false }
    open.content = mapped.content
    if (phase === 'started') {
      this.#open.set(id, open)
      if (mapped.content.type !== 'reasoning') this.#emitItem(id, open, mapped.status, mapped.content)
      return
    }
    this.#open.delete(id)
    const content = withStreamed(mapped.content, open.streamed)
    if (content.type === 'reasoning' && content.text.length === 0 && !open.emitted) return
    if (owner.child && content.type === 'assistant_message') this.#subagents.agentMessage(threadId, content.text)
    this.#emitItem(id, open, mapped.status, content)
  }

  #delta(threadId: string, turnId: string, itemId: string, text: string, kind: DeltaKind): void {
    const owner = this.#owner(threadId, turnId)
    if (!owner || text.length === 0) return
    let open = this.#open.get(itemId)
    if (!open) {
      const content = emptyContent(kind)
      if (!content) return this.#sink.delta(itemId, text)
      open = { runId: owner.runId, threadId, turnId, parent: owner.parent, content, streamed: '', emitted: false }
      this.#open.set(itemId, open)
    }
    if (!open.emitted) this.#emitItem(itemId, open, 'running', open.content)
    open.streamed = clipTail(open.streamed + text, BOUND.text)
    this.#sink.delta(itemId, text)
  }

  #todo(threadId: string, turnId: string, plan: Array<{ step: string; status: string }>, explanation: string | null): void {
    const owner = this.#owner(threadId, turnId)
    if (!owner) return
    const id = `turn-plan:${turnId}`
    const content: RuntimeItemContent = {
      type: 'todo_list',
      steps: plan.slice(0, BOUND.todoSteps).map((s, i) => ({
        id: String(i + 1),
        text: clip(s.step, 4000),
        status: s.status === 'completed' ? 'completed' : s.status === 'inProgress' ? 'running' : 'pending',
      })),
      explanation: explanation === null ? null : clip(explanation, BOUND.explanation),
    }
    const open = this.#open.get(id) ?? { runId: owner.runId, threadId, turnId, parent: owner.parent, content, streamed: '', emitted: false }
    open.content = content
    this.#open.set(id, open)
    this.#emitItem(id, open, 'running', content)
  }

  #error(threadId: string, turnId: string, error: TurnError, willRetry: boolean): void {
    const owner = this.#owner(threadId, turnId)
    if (!owner) return
    if (!willRetry) {
      if (!owner.child && this.#active) this.#active.lastError = error
      return
    }
    // Codex retries on its own ("Reconnecting... 2/5"): one visible notice per turn, updated.
    const id = `retry:${turnId}`
    const open: OpenItem = { runId: owner.runId, threadId, turnId, parent: owner.parent, content: { type: 'error', failure: turnFailure(error) }, streamed: '', emitted: false }
    this.#open.set(id, open)
    this.#emitItem(id, open, 'running', open.content)
  }

  /** A server request Loom does not handle (answered with an error by the session): shown, not hidden. */
  unhandledRequest(request: ServerRequest): void {
    this.#notice(request.method, request.params)
  }

  #notice(method: string, raw: unknown): void {
    const params = (raw ?? {}) as { threadId?: unknown; turnId?: unknown }
    const owner = this.#owner(typeof params.threadId === 'string' ? params.threadId : null, typeof params.turnId === 'string' ? params.turnId : null)
    if (!owner) return
    const scope = typeof params.turnId === 'string' ? params.turnId : (this.#active?.turnId ?? shortHash(owner.runId))
    this.#sink.emit({
      type: 'item.updated',
      runId: owner.runId,
      nativeItemId: `notice:${scope}:${++this.#notices}`,
      parentNativeItemId: owner.parent,
      status: 'completed',
      content: { type: 'generic', nativeType: clip(method, 500), summary: summarize(raw) },
    })
  }
}

