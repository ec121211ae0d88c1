/**
 * @module The harness of the provider end-to-end suites (test/e2e/providers): one worker in
 * Miniflare and one fake model server per provider for a whole file; per test a workspace
 * directory of its own, a real `loom-runner` process (in a process group of its own, so
 * everything it spawned can be found and killed), a thread on the provider, and a WebSocket
 * subscriber that reads the thread from its first event.
 *
 * What a subscriber sees is checked by `expectCleanStream`: every event once and in order,
 * streamed text without a repeat or a gap, and the projection folded from the stream equal to
 * the worker's own.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import { CAPABILITIES, type Decision, type ProviderCapabilities, type ThreadProjection } from '../../../src/contracts/index.ts'
import { fold, toProjection } from '../../../src/domain/thread/index.ts'
import { fakeAnthropicModel, fakeOpenAIModel, fakeRunnerEnv, startFakeAnthropic, startFakeOpenAI, type FakeModelServer, type LoggedRequest } from '../../../fixtures/fake-models/index.ts'
import { mintToken } from '../../../scripts/tokens.ts'
import { Subscriber, api, dispatch, events, uniqueId } from './client.ts'
import { group, survivors, tree, type Proc } from './processes.ts'
import { REAL_CLI, RunnerProcess } from './runner-process.ts'
import { startWorker, type TestWorker } from './worker.ts'

export type Provider = 'claude' | 'codex'

/** The providers every suite runs against. */
export const PROVIDERS: Provider[] = ['claude', 'codex']

/** Lease and idle release of the worker, in seconds (the runner pings every 500 ms). */
export const LEASE_SECONDS = 3
export const IDLE_SECONDS = 3

/** `[[slow]]` replies: 150 `tick ` deltas, one every 40 ms (about 6 s), long enough to act mid-stream. */
const SLOW = { deltas: 150, intervalMs: 40 }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export type ProviderProfile = {
  provider: Provider
  model: string
  capabilities: ProviderCapabilities
  /** Whether a process belongs to this provider (the Claude Code CLI, `codex app-server`). */
  isProviderProcess: (p: Proc) => boolean
  /** Fake-server directives (fixtures/fake-models/README.md): a shell command that needs approval, a new file. */
  askToRun: (command: string) => string
  writeFile: (file: string, line: string) => string
  /** What the model is told when the user declined a tool call. */
  declinedOutput: RegExp
  /**
   * The error a failed model call reported to the runner, from the inbound native frames
   * (Claude: the error `result`; Codex: the `error` notification), and whether that text
   * carries the model API's own error body (Codex 0.169 replaces a 500's body with its own text).
   */
  reportedError: (inbound: any[]) => string | null
  passesErrorBody: boolean
  /** Whether an outbound native frame steers natively: Claude a user message of priority "now", Codex `turn/steer` guarded by the turn id. */
  steers: (frame: any) => boolean
  /** The provider thread an outbound native frame resumes (Claude `query.open{resume}`, Codex `thread/resume`), else null. */
  resumes: (frame: any) => string | null
}

export const PROFILES: Record<Provider, ProviderProfile> = {
  claude: {
    provider: 'claude',
    model: fakeAnthropicModel,
    capabilities: CAPABILITIES.claude,
    isProviderProcess: (p) => /claude-agent-sdk[^ ]*\/claude( |$)/.test(p.cmd),
    askToRun: (command) => `[[bash:${command}]]`,
    writeFile: (file, line) => `[[write:${file}:${line}]]`,
    declinedOutput: /declined/i,
    reportedError: (inbound) => inbound.filter((f) => f?.type === 'result' && f.is_error === true).at(-1)?.result ?? null,
    passesErrorBody: true,
    steers: (frame) => frame?.type === 'prompt.offer' && frame.message?.priority === 'now',
    resumes: (frame) => (frame?.type === 'query.open' && typeof frame.options?.resume === 'string' ? frame.options.resume : null),
  },
  codex: {
    provider: 'codex',
    model: fakeOpenAIModel,
    capabilities: CAPABILITIES.codex,
    isProviderProcess: (p) => /\/codex app-server( |$)/.test(p.cmd),
    askToRun: (command) => `[[escalate:${command}]]`,
    writeFile: (file, line) => `[[patch:${file}:${line}]]`,
    declinedOutput: /rejected|declined/i,
    reportedError: (inbound) => inbound.filter((f) => f?.method === 'error' && f.params?.willRetry === false).at(-1)?.params.error.message ?? null,
    passesErrorBody: false,
    steers: (frame) => frame?.method === 'turn/steer' && typeof frame.params?.expectedTurnId === 'string',
    resumes: (frame) => (frame?.method === 'thread/resume' && typeof frame.params?.threadId === 'string' ? frame.params.threadId : null),
  },
}

/** One worker and the fake model servers of one test file. */
export class ProviderE2E {
  readonly worker: TestWorker
  private readonly fakes: Map<Provider, FakeModelServer>
  private readonly root: string
  private readonly cases: ThreadCase[] = []

  private constructor(worker: TestWorker, fakes: Map<Provider, FakeModelServer>, root: string) {
    this.worker = worker
    this.fakes = fakes
    this.root = root
  }

  static async start(providers: Provider[]): Promise<ProviderE2E> {
    const root = mkdtempSync(join(tmpdir(), 'loom-e2e-providers-'))
    const worker = await startWorker({ leaseSeconds: LEASE_SECONDS, idleSeconds: IDLE_SECONDS })
    const fakes = new Map<Provider, FakeModelServer>()
    for (const provider of providers) fakes.set(provider, provider === 'claude' ? await startFakeAnthropic({ slow: SLOW }) : await startFakeOpenAI({ slow: SLOW }))
    return new ProviderE2E(worker, fakes, root)
  }

  fake(provider: Provider): FakeModelServer {
    const fake = this.fakes.get(provider)
    if (!fake) throw new Error(`no fake server for ${provider}`)
    return fake
  }

  /** A new workspace, runner and thread on `provider`. */
  async thread(provider: Provider, opts: { runtimeMode?: 'approval-required' | 'auto-accept-edits' | 'full-access' } = {}): Promise<ThreadCase> {
    const dir = mkdtempSync(join(this.root, `${provider}-`))
    const workspaceId = uniqueId('ws')
    const secret = this.worker.secret
    const runnerToken = await mintToken(secret, { sub: 'runner:e2e', scopes: ['runner'], workspaces: [workspaceId], days: 1 })
    const userToken = await mintToken(secret, { sub: 'user:e2e', scopes: ['read', 'operate'], workspaces: [workspaceId], days: 1 })
    const c = new ThreadCase(this, PROFILES[provider], this.fake(provider), { dir, workspaceId, runnerToken, userToken })
    this.cases.push(c)
    await c.begin(opts.runtimeMode ?? 'approval-required')
    return c
  }

  /** After each test: every process a runner spawned is killed, its directory removed. */
  async endTest(): Promise<void> {
    for (const c of this.cases.splice(0)) await c.end()
  }

  async dispose(): Promise<void> {
    await this.endTest()
    for (const fake of this.fakes.values()) await fake.close()
    await this.worker.dispose()
    rmSync(this.root, { recursive: true, force: true })
  }
}

type Workspace = { dir: string; workspaceId: string; runnerToken: string; userToken: string }

/** One thread on one provider, served by a real runner process, watched by a subscriber. */
export class ThreadCase {
  readonly threadId = uniqueId('thread')
  readonly profile: ProviderProfile
  readonly fake: FakeModelServer
  readonly ws: Workspace
  readonly runners: RunnerProcess[] = []
  subscriber!: Subscriber
  private readonly e2e: ProviderE2E

  constructor(e2e: ProviderE2E, profile: ProviderProfile, fake: FakeModelServer, ws: Workspace) {
    this.e2e = e2e
    this.profile = profile
    this.fake = fake
    this.ws = ws
  }

  get provider(): Provider {
    return this.profile.provider
  }

  get url(): string {
    return this.e2e.worker.url
  }

  /** The runner started last. */
  get runner(): RunnerProcess {
    const runner = this.runners.at(-1)
    if (!runner) throw new Error('no runner started')
    return runner
  }

  async begin(runtimeMode: string): Promise<void> {
    await dispatch(this.url, this.ws.userToken, {
      type: 'thread.create',
      threadId: this.threadId,
      workspaceId: this.ws.workspaceId,
      title: `e2e ${this.provider}`,
      modelSelection: { provider: this.provider, model: this.profile.model },
      runtimeMode,
    })
    this.subscriber = await Subscriber.open(this.url, this.ws.userToken, this.threadId, { fromStart: true })
    await this.startRunner()
  }

  /** Starts a runner process for this workspace and waits until the workspace has it. */
  async startRunner(): Promise<RunnerProcess> {
    const args = ['--server', this.url, '--token', this.ws.runnerToken, '--workspace', this.ws.dir, '--heartbeat-ms', '500']
    const runner = new RunnerProcess(args, REAL_CLI, { env: this.runnerEnv(), ownGroup: true })
    this.runners.push(runner)
    await runner.line((l) => l.msg === 'connected', 20_000)
    return runner
  }

  /** Only what the runner and its providers need: PATH, and the fake model endpoint (runner/provider-env.ts). */
  private runnerEnv(): Record<string, string> {
    const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(process.env.LANG ? { LANG: process.env.LANG } : {}), HOME: this.ws.dir }
    if (this.provider === 'claude') return { ...base, ...fakeRunnerEnv({ anthropic: this.fake.url }) }
    return { ...base, ...fakeRunnerEnv({ openai: this.fake.url, catalogPath: join(this.ws.dir, '..', `${this.threadId}-catalog.json`) }) }
  }

  /** Dispatches a user message; `mode` is the dispatch mode (queue, steer). */
  async send(text: string, mode?: { type: 'queue_after_active' } | { type: 'steer_active'; targetRunId: string }): Promise<void> {
    await dispatch(this.url, this.ws.userToken, { type: 'message.dispatch', threadId: this.threadId, text, ...(mode ? { dispatchMode: mode } : {}) })
  }

  async interrupt(runId: string): Promise<void> {
    await dispatch(this.url, this.ws.userToken, { type: 'run.interrupt', threadId: this.threadId, runId })
  }

  async respond(requestId: string, decision: Decision): Promise<void> {
    await dispatch(this.url, this.ws.userToken, { type: 'runtime-request.respond', threadId: this.threadId, requestId, decision })
  }

  /** The thread as the subscriber's stream tells it (events folded, in the order they came). */
  projection(upTo = Number.POSITIVE_INFINITY): ThreadProjection {
    const seen = this.subscriber.events.filter((e) => e.sequence <= upTo)
    return toProjection(fold(seen.map((e) => e.event)), seen.at(-1)?.sequence ?? 0)
  }

  /** Waits until run `ordinal` is in one of `statuses`, as the subscriber sees it. */
  async run(ordinal: number, statuses: string[], timeoutMs = 30_000): Promise<any> {
    return this.subscriber.until(() => this.subscriber.runs().find((r) => r.ordinal === ordinal && statuses.includes(r.status)), timeoutMs)
  }

  /** Waits until run `ordinal` has been in `status` at some point, as the stream told it; returns that state. */
  async everRun(ordinal: number, status: string, timeoutMs = 30_000): Promise<any> {
    const state = () =>
      this.subscriber.events.find((e) => (e.event.type === 'run.created' || e.event.type === 'run.updated') && e.event.payload.ordinal === ordinal && e.event.payload.status === status)
    return (await this.subscriber.until(state, timeoutMs)).event.payload
  }

  /** Waits for a pending runtime request of run `ordinal`. */
  async pendingRequest(ordinal: number, timeoutMs = 30_000): Promise<any> {
    return this.subscriber.until(() => {
      const run = this.subscriber.runs().find((r) => r.ordinal === ordinal)
      return run && this.projection().runtimeRequests.find((r) => r.runId === run.id && r.status === 'pending')
    }, timeoutMs)
  }

  /** Turn items of run `ordinal` of a content type, in item order. */
  items(ordinal: number, type: string): any[] {
    const p = this.projection()
    const run = p.runs.find((r) => r.ordinal === ordinal)
    return p.turnItems.filter((i) => i.runId === run?.id && i.content.type === type)
  }

  /** Text streamed to the subscriber so far for an item. */
  streamed(itemId: string): string {
    return this.subscriber.items
      .filter((i) => i.kind === 'delta' && i.itemId === itemId)
      .map((i) => i.text)
      .join('')
  }

  /** The provider's own thread (Claude session id, Codex thread id), as the projection records it. */
  nativeThreadRef(): string {
    const ref = this.projection().providerThreads.find((t) => t.provider === this.provider)?.nativeThreadRef
    if (!ref) throw new Error('the thread has no provider thread yet')
    return ref
  }

  /** Model requests the fake server received for this thread's provider thread. */
  modelCalls(): LoggedRequest[] {
    return this.fake.requests.modelCalls(this.nativeThreadRef())
  }

  /** Waits until the fake server has received `count` model calls for this thread. */
  async waitModelCalls(count: number, timeoutMs = 20_000): Promise<LoggedRequest[]> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const calls = this.projection().providerThreads.length > 0 ? this.modelCalls() : []
      if (calls.length >= count) return calls
      if (Date.now() > deadline) throw new Error(`the fake server saw ${calls.length} model calls, expected ${count}`)
      await sleep(25)
    }
  }

  /** Waits until `count` text deltas of run `ordinal` reached the subscriber (the stream is under way). */
  async streaming(count = 3, timeoutMs = 30_000): Promise<void> {
    await this.subscriber.until(() => this.subscriber.items.filter((i) => i.kind === 'delta').length >= count, timeoutMs)
  }

  /** Outbound native frames of every provider session of this thread, from the runners' native logs. */
  outboundFrames(): any[] {
    return this.nativeLog('expect_outbound')
  }

  /** Inbound native frames of every provider session of this thread. */
  inboundFrames(): any[] {
    return this.nativeLog('emit_inbound')
  }

  /** Frames of one direction from the native logs (written within 100 ms; files of older sessions first). */
  private nativeLog(type: 'expect_outbound' | 'emit_inbound'): any[] {
    const dir = join(this.ws.dir, '.loom', 'runner', 'logs')
    const prefix = `${encodeURIComponent(this.threadId)}.${this.provider}`
    if (!existsSync(dir)) return []
    const part = (f: string) => Number(/\.(\d+)\.ndjson$/.exec(f)?.[1] ?? 0)
    return readdirSync(dir)
      .filter((f) => f.startsWith(prefix) && f.endsWith('.ndjson'))
      .sort((a, b) => part(b) - part(a))
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.type === type)
      .map((entry) => entry.frame)
  }

  /** Live provider processes (Claude Code CLI, codex app-server) spawned by the current runner. */
  providerProcesses(): Proc[] {
    return tree(this.runner.pid).filter(this.profile.isProviderProcess)
  }

  /**
   * Checks the stream a subscriber saw: every event exactly once, in sequence order, the same
   * events the thread stored; streamed text without a repeat or a gap, a prefix of the item's
   * final text; and the projection folded from the stream equal to the worker's projection.
   * Returns the worker's projection.
   */
  async expectCleanStream(): Promise<ThreadProjection> {
    const server = (await api(this.url, this.ws.userToken, `/v1/threads/${this.threadId}`)).body as ThreadProjection
    await this.subscriber.until(() => (this.subscriber.events.at(-1)?.sequence ?? 0) >= server.sequence, 10_000)
    const seen = this.subscriber.events
    expect(seen.map((e) => e.sequence)).toEqual(seen.map((_, i) => i + 1))
    expect(new Set(seen.map((e) => e.eventId)).size).toBe(seen.length)
    const stored = await events(this.url, this.ws.userToken, this.threadId)
    expect(seen.slice(0, stored.length).map((e) => e.eventId)).toEqual(stored.map((e) => e.eventId))

    const byItem = new Map<string, string>()
    for (const d of this.subscriber.items.filter((i) => i.kind === 'delta')) {
      const before = byItem.get(d.itemId) ?? ''
      expect({ itemId: d.itemId, offset: d.offset }).toEqual({ itemId: d.itemId, offset: before.length })
      byItem.set(d.itemId, before + d.text)
    }
    const folded = this.projection(server.sequence)
    for (const [itemId, text] of byItem) {
      const item = folded.turnItems.find((i) => i.id === itemId)
      expect(item, `deltas for an unknown item ${itemId}`).toBeDefined()
      if (item?.status === 'completed' && 'text' in item.content) expect(item.content.text.startsWith(text), `item ${itemId}: streamed "${text}" is not a prefix of "${item.content.text}"`).toBe(true)
    }
    expect(normalized(folded)).toEqual(normalized(server))
    return server
  }

  /** Kills every process of this case's runners and removes its directory. */
  async end(): Promise<void> {
    this.subscriber?.close()
    for (const runner of this.runners) {
      runner.killGroup()
      await runner.exited
    }
    // The group kill above takes the providers too; wait for them to be gone before removing their files.
    const deadline = Date.now() + 5000
    while (this.runners.some((r) => group(r.pid).length > 0) && Date.now() < deadline) await sleep(25)
    rmSync(this.ws.dir, { recursive: true, force: true, maxRetries: 3 })
  }
}

/** Streaming text aside (ephemeral), and collections as sets (map order is not part of the contract). */
const normalized = (p: ThreadProjection) => {
  const sorted = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => a.id.localeCompare(b.id))
  const { streaming: _streaming, ...rest } = p
  return Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, Array.isArray(value) ? sorted(value as Array<{ id: string }>) : value]))
}

/**
 * SIGKILLs the runner alone (not its group) and returns the processes it had spawned, to be
 * checked with `survivors`.
 */
export const killRunnerAlone = async (runner: RunnerProcess): Promise<Proc[]> => {
  const spawned = tree(runner.pid).filter((p) => p.pid !== runner.pid)
  const inGroup = group(runner.pid).filter((p) => p.pid !== runner.pid)
  runner.kill('SIGKILL')
  await runner.exited
  const all = new Map([...spawned, ...inGroup].map((p) => [p.pid, p]))
  return [...all.values()]
}

/** Waits up to `timeoutMs` for every process of `seen` to end; returns the ones still alive. */
export const awaitGone = async (seen: Proc[], timeoutMs: number): Promise<Proc[]> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const alive = survivors(seen)
    if (alive.length === 0 || Date.now() > deadline) return alive
    await sleep(50)
  }
}

/**
 * One ProviderE2E per test file: started before its tests, checked after each (endTest) and
 * disposed after all. Returns a getter, since the harness exists only once `beforeAll` ran.
 */
export const useProviderE2E = (providers = PROVIDERS): (() => ProviderE2E) => {
  let e2e: ProviderE2E | undefined
  beforeAll(async () => {
    e2e = await ProviderE2E.start(providers)
  })
  afterEach(async () => {
    await e2e?.endTest()
  })
  afterAll(async () => {
    await e2e?.dispose()
  })
  return () => {
    if (!e2e) throw new Error('the provider e2e harness has not started')
    return e2e
  }
}
