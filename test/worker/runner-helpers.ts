/**
 * @module A scripted runner over real WebSockets, for tests inside workerd: a control socket to
 * the workspace (hello, epoch, attach requests), one link per thread (hello, effects, batches
 * of canonical runtime events with `(epoch, seq)`), and small scripts that play a provider turn.
 */
import type { z } from 'zod'
import { RUNNER_PROTOCOL_VERSION, type Effect, type EffectBody, type EffectKind, type RuntimeEvent } from '../../src/contracts/index.ts'
import { connect, createThread, token, uniqueId, type TestSocket } from './helpers.ts'

/** A runtime event as a test writes it: plain strings where the contract has branded ids. */
export type RuntimeEventInput = z.input<typeof RuntimeEvent>

export type EffectOf<K extends EffectKind> = Effect & { body: Extract<EffectBody, { kind: K }> }

/** A token that may serve `workspaces` as a runner (and nothing else). */
export const runnerToken = (workspaces: string[] = ['ws-test'], sub = 'runner:test'): Promise<string> =>
  token({ sub, scopes: ['runner'], workspaces })

export type RunnerOptions = { workspaceId?: string; runnerId?: string; token?: string }

/** One runner process: its control socket, its epoch, and the links it opens. */
export class ScriptedRunner {
  readonly workspaceId: string
  readonly runnerId: string
  readonly tok: string
  readonly control: TestSocket
  readonly epoch: number
  readonly links: RunnerLink[] = []

  private constructor(workspaceId: string, runnerId: string, tok: string, control: TestSocket, epoch: number) {
    this.workspaceId = workspaceId
    this.runnerId = runnerId
    this.tok = tok
    this.control = control
    this.epoch = epoch
  }

  /**
   * Connects a control socket and says hello. `epoch: null` is a new process (a new epoch is
   * issued and older ones are fenced); a number resumes that epoch.
   */
  static async start(opts: RunnerOptions & { epoch?: number | null } = {}): Promise<ScriptedRunner> {
    const workspaceId = opts.workspaceId ?? 'ws-test'
    const runnerId = opts.runnerId ?? uniqueId('runner')
    const tok = opts.token ?? (await runnerToken([workspaceId]))
    const control = await connect(`/v1/runner/control?workspaceId=${workspaceId}`, tok, 'runner')
    control.send({ type: 'hello', protocolVersion: RUNNER_PROTOCOL_VERSION, runnerId, epoch: opts.epoch ?? null, workspaceRoot: null })
    const answer = await control.until((frames) => frames.find((f) => f.type === 'welcome' || f.type === 'refused'))
    if (answer.type !== 'welcome') throw new Error(`control hello refused: ${JSON.stringify(answer)}`)
    return new ScriptedRunner(workspaceId, runnerId, tok, control, answer.epoch)
  }

  /** Thread ids the workspace asked this runner to attach to, in order. */
  attachRequests(): string[] {
    return this.control.frames.filter((f) => f.type === 'attach').map((f) => f.threadId)
  }

  /** Opens a link to `threadId` and says hello; throws unless welcomed. */
  async link(threadId: string, opts: { epoch?: number; runnerId?: string } = {}): Promise<RunnerLink> {
    const { socket, answer } = await openLink(this.tok, threadId, opts.epoch ?? this.epoch, opts.runnerId ?? this.runnerId)
    if (answer.type !== 'welcome') throw new Error(`link hello refused: ${JSON.stringify(answer)}`)
    const link = new RunnerLink(socket, threadId, opts.epoch ?? this.epoch, answer.lastSeq)
    this.links.push(link)
    return link
  }

  close(): void {
    for (const link of this.links) link.close()
    if (this.closing || this.control.closed) return
    this.closing = true
    this.control.close()
  }

  private closing = false
}

/** Opens a link socket and sends hello; returns the socket and the first welcome or refusal. */
export const openLink = async (tok: string, threadId: string, epoch: number, runnerId: string): Promise<{ socket: TestSocket; answer: any }> => {
  const socket = await connect(`/v1/runner/threads/${threadId}/link`, tok, 'runner')
  socket.send({ type: 'hello', protocolVersion: RUNNER_PROTOCOL_VERSION, runnerId, epoch })
  const answer = await socket.until((frames) => frames.find((f) => f.type === 'welcome' || f.type === 'refused'))
  return { socket, answer }
}

export type TurnScript = {
  /** Assistant text of the reply; `null` sends no assistant item. */
  text?: string | null
  status?: 'completed' | 'interrupted' | 'failed' | 'cancelled'
  /** Reports a checkpoint after the turn (git ref of the run's capture). */
  checkpoint?: boolean
}

/** The runner's end of one thread link. */
export class RunnerLink {
  readonly socket: TestSocket
  readonly threadId: string
  readonly epoch: number
  /** The last batch sequence the thread acknowledged. */
  seq: number

  constructor(socket: TestSocket, threadId: string, epoch: number, lastSeq: number) {
    this.socket = socket
    this.threadId = threadId
    this.epoch = epoch
    this.seq = lastSeq
  }

  /** Every effect received so far, oldest first (redeliveries included). */
  effects(kind?: EffectKind): Effect[] {
    return this.socket.frames.filter((f) => f.type === 'effect' && (kind === undefined || f.effect.body.kind === kind)).map((f) => f.effect)
  }

  /** Waits for an effect of `kind` (matching `match`, if given). */
  effect<K extends EffectKind>(kind: K, match: (effect: EffectOf<K>) => boolean = () => true, timeoutMs?: number): Promise<EffectOf<K>> {
    return this.socket.until(() => this.effects(kind).find((e) => match(e as EffectOf<K>)) as EffectOf<K> | undefined, timeoutMs)
  }

  /** Sends a batch (the next sequence unless `seq` is given) and waits for its ack or refusal. */
  async batch(events: RuntimeEventInput[], seq = this.seq + 1): Promise<any> {
    const from = this.socket.frames.length
    this.socket.send({ type: 'batch', epoch: this.epoch, seq, events })
    const answer = await this.socket.until((frames) => frames.slice(from).find((f) => (f.type === 'ack' && f.seq >= seq) || f.type === 'refused'))
    if (answer.type === 'ack') this.seq = Math.max(this.seq, answer.seq)
    return answer
  }

  /** Like `batch`, but throws unless acknowledged. */
  async send(events: RuntimeEventInput[]): Promise<void> {
    const answer = await this.batch(events)
    if (answer.type !== 'ack') throw new Error(`batch refused: ${JSON.stringify(answer)}`)
  }

  /** Sends a streaming-text delta (ephemeral, not sequenced). */
  delta(itemId: string, offset: number, text: string): void {
    this.socket.send({ type: 'delta', itemId, offset, text })
  }

  /** The provider took the turn: session, provider thread and turn started. */
  async startTurn(start: EffectOf<'turn.start'>): Promise<void> {
    const { runId, attemptId, modelSelection } = start.body
    await this.send([
      { type: 'effect.accepted', effectId: start.effectId },
      { type: 'session.started', provider: modelSelection.provider, model: modelSelection.model },
      { type: 'provider-thread.bound', runId, provider: modelSelection.provider, nativeThreadId: nativeThreadOf(this.threadId), nativeConversationHeadRef: null },
      { type: 'turn.started', runId, attemptId, nativeTurnId: nativeTurnOf(attemptId) },
    ])
  }

  /** The turn ends: an assistant reply, the root turn's terminal, the effect done, a checkpoint. */
  async finishTurn(start: EffectOf<'turn.start'>, script: TurnScript = {}): Promise<void> {
    const { runId, attemptId, runOrdinal } = start.body
    const text = script.text === undefined ? `Reply to run ${runOrdinal}` : script.text
    const status = script.status ?? 'completed'
    const events: RuntimeEventInput[] = []
    if (text !== null) {
      events.push(assistantItem(runId, `msg-${attemptId}`, 'completed', text))
    }
    events.push(
      { type: 'turn.completed', runId, attemptId, nativeTurnId: nativeTurnOf(attemptId), status, failure: null, usage: null, nativeConversationHeadRef: null },
      { type: 'effect.completed', effectId: start.effectId },
    )
    if (script.checkpoint ?? true) events.push({ type: 'checkpoint.captured', runId, appRunOrdinal: runOrdinal, ref: checkpointRefOf(runOrdinal), files: [] })
    await this.send(events)
  }

  /** Plays a whole turn for `start`. */
  async runTurn(start: EffectOf<'turn.start'>, script: TurnScript = {}): Promise<void> {
    await this.startTurn(start)
    await this.finishTurn(start, script)
  }

  /** Waits for the turn.start of `runId` (or of the run with `runOrdinal`) and plays it. */
  async runNext(match: { runId?: string; runOrdinal?: number }, script: TurnScript = {}): Promise<EffectOf<'turn.start'>> {
    const start = await this.effect('turn.start', (e) => (match.runId === undefined || e.body.runId === match.runId) && (match.runOrdinal === undefined || e.body.runOrdinal === match.runOrdinal))
    await this.runTurn(start, script)
    return start
  }

  close(): void {
    if (this.closing || this.socket.closed) return
    this.closing = true
    this.socket.close()
  }

  private closing = false
}

/** A runtime event for an assistant message item, as a provider adapter sends it. */
export const assistantItem = (runId: string, nativeItemId: string, status: 'running' | 'completed', text: string) => ({
  type: 'item.updated' as const,
  runId,
  nativeItemId,
  parentNativeItemId: null,
  status,
  content: { type: 'assistant_message' as const, text },
})

export const nativeThreadOf = (threadId: string) => `native-thread-${threadId}`
export const nativeTurnOf = (attemptId: string) => `native-turn-${attemptId}`
export const checkpointRefOf = (runOrdinal: number) => `refs/loom/checkpoints/run-${runOrdinal}`

/**
 * A fresh workspace served by a scripted runner, a thread in it and the runner's link to it:
 * the usual start of a test that needs runs to start, finish and leave checkpoints.
 */
export const runnerThread = async (opts: { provider?: 'codex' | 'claude' } = {}) => {
  const workspaceId = uniqueId('ws')
  const tok = await token({ workspaces: [workspaceId] })
  const runner = await ScriptedRunner.start({ workspaceId })
  const threadId = await createThread(tok, undefined, { workspaceId, modelSelection: { provider: opts.provider ?? 'codex', model: 'fake-model' } })
  const link = await runner.link(threadId)
  return { workspaceId, tok, runner, threadId, link }
}
