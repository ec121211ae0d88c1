/**
 * @module 6. A warm text turn through the whole system, beside the same turn straight against
 * the provider. Through Loom: `message.dispatch` over HTTP → the thread object → a real
 * `loom-runner` process → the provider → batches back → the `run.updated completed` event seen
 * by a WebSocket subscriber. Direct: the adapter's own client, no worker: Codex's JSON-RPC
 * client (runner/codex/rpc-client.ts, `turn/start` → `turn/completed` on a warm app-server),
 * Claude's streaming-input query (runner/claude/claude-query.ts, a user message → `result`).
 * Both against the same fake model server, turns alternated between the two paths; the first
 * turns of each are not counted (the first spawns the provider). The runner is preloaded with
 * bench/turn-probe.ts, whose timestamps split a Loom turn into its stretches.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk'
import { fakeAnthropicModel, fakeOpenAIModel, fakeRunnerEnv, startFakeAnthropic, startFakeOpenAI, type FakeModelServer } from '../fixtures/fake-models/index.ts'
import { ClaudeQuery } from '../runner/claude/claude-query.ts'
import { claudeProcessEnv } from '../runner/claude/env.ts'
import { denial } from '../runner/claude/permissions.ts'
import { claudePolicy } from '../runner/claude/policy.ts'
import { sdkUserMessage } from '../runner/claude/user-message.ts'
import { prepareCodexHome } from '../runner/codex/codex-home.ts'
import { toUserInput } from '../runner/codex/input.ts'
import { codexTurnPolicy } from '../runner/codex/policy.ts'
import { CodexRpcClient } from '../runner/codex/rpc-client.ts'
import { spawnCodexAppServer } from '../runner/codex/spawn-app-server.ts'
import { nullLog } from '../runner/native-log.ts'
import { tethered } from '../runner/tether.ts'
import { Socket, mintToken } from './client.ts'
import { watchLoad } from './cpu.ts'
import { clientProtocols, dispatch, uniqueId, wsUrl } from './loom.ts'
import type { Server } from './server.ts'
import { median, percentile } from './stats.ts'

export type Provider = 'codex' | 'claude'

/** Measured turns per provider and path (BENCH_TURNS, at least 20). */
export const TURNS = Math.max(20, Math.min(500, Number(process.env.BENCH_TURNS ?? 50)))
/** Turns of each path not counted: the first (cold: it spawns the provider) and two more. */
export const UNCOUNTED = 3
/** BENCH_TURN_PROVIDERS=codex or claude runs one (default both). */
export const TURN_PROVIDERS = (process.env.BENCH_TURN_PROVIDERS ?? 'codex,claude').split(',').filter((p): p is Provider => p === 'codex' || p === 'claude')
/** Budget of the Loom overhead (p50 through Loom minus p50 direct), per provider. */
export const OVERHEAD_TARGET_MS = 50

const TURN_TIMEOUT_MS = 30_000
const RUNNER_TIMEOUT_MS = 30_000
const root = resolve(import.meta.dirname, '..')
const RUNNER_CLI = join(root, 'runner', 'cli.ts')
const PROBE = pathToFileURL(join(root, 'bench', 'turn-probe.ts')).href

/** Epoch ms with fractions: comparable with the runner process's probe times. */
const now = (): number => performance.timeOrigin + performance.now()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The stretches of one Loom turn, in ms (null when a probe point was missing). */
export type Stretches = Record<StretchKey, number | null>
export const STRETCHES = [
  ['post', 'dispatch POST answered (client)'],
  ['toRunner', 'dispatch → turn.start effect at the runner'],
  ['runnerIn', 'runner: effect → provider request written'],
  ['provider', 'provider: request → turn done (stdio)'],
  ['runnerOut', 'runner: turn done → batch with turn.completed sent'],
  ['toSubscriber', 'batch sent → subscriber sees run completed'],
  ['ack', '(batch sent → ack back at the runner)'],
  ['total', 'total: dispatch → subscriber sees run completed'],
] as const
type StretchKey = (typeof STRETCHES)[number][0]

export type TurnResult = {
  provider: Provider
  /** ms per counted turn. */
  loom: number[]
  direct: number[]
  stretches: Stretches[]
  /** Shares of the machine's CPU used while the turns ran: by the measured system, and by everything else. */
  load: { ours: number; foreign: number }
}

type Probe = { p: string; t: number; seq?: number; types?: string[] }

/** A path a turn can take: `turn` resolves with the turn's duration in ms. */
type Path = { turn: (text: string) => Promise<number>; close: () => Promise<void> }

/** What both paths share for one provider: the fake server and the provider environment. */
type Setup = { provider: Provider; fake: FakeModelServer; model: string; providerEnv: Record<string, string>; dir: string }

// Direct: the adapter's own clients.

const openDirectCodex = async (s: Setup): Promise<Path> => {
  const work = join(s.dir, 'direct-work')
  mkdirSync(work, { recursive: true })
  const home = await prepareCodexHome(join(s.dir, 'direct-state'), s.providerEnv)
  let done: ((status: string) => void) | null = null
  const client = new CodexRpcClient(spawnCodexAppServer({ env: home.env, cwd: home.codexHome }), {
    clientInfo: { name: 'loom_bench', title: null, version: '0.0.0' },
    onNotification: (n) => {
      if (n.method === 'turn/completed') done?.((n.params as { turn: { status: string } }).turn.status)
    },
    onProtocolError: (e) => console.warn(`[bench codex] ${e.code}: ${e.message}`),
  })
  try {
    const { thread } = await client.request('thread/start', { cwd: work, model: s.model })
    const policy = codexTurnPolicy('approval-required', 'default', s.model)
    return {
      turn: async (text) => {
        const completed = new Promise<string>((resolve) => (done = resolve))
        const t0 = now()
        await client.request('turn/start', { threadId: thread.id, input: toUserInput({ text, attachments: [] }), cwd: work, model: s.model, ...policy })
        const status = await bounded(completed, 'codex turn/completed')
        const ms = now() - t0
        done = null
        if (status !== 'completed') throw new Error(`codex turn ended ${status}`)
        return ms
      },
      close: async () => void (await client.close()),
    }
  } catch (error) {
    await client.close()
    throw error
  }
}

const openDirectClaude = async (s: Setup): Promise<Path> => {
  const work = join(s.dir, 'direct-work')
  mkdirSync(work, { recursive: true })
  const policy = claudePolicy('approval-required', 'default')
  let done: ((result: Record<string, unknown>) => void) | null = null
  let ended: unknown = null
  const query = new ClaudeQuery({
    // As runner/claude/session.ts opens a new session.
    options: {
      cwd: work,
      model: s.model,
      permissionMode: policy.permissionMode,
      settingSources: [],
      includePartialMessages: true,
      env: claudeProcessEnv(join(s.dir, 'direct-state'), s.providerEnv, false),
      sessionId: randomUUID(),
    },
    onAsk: async (ask) => denial(ask, 'No tools in the benchmark.'),
    log: nullLog,
    onMessage: (message: SDKMessage) => {
      if (message.type === 'result') done?.(message as unknown as Record<string, unknown>)
    },
    onEnd: (error) => {
      ended = error ?? new Error('the query ended')
      done?.({ is_error: true, result: String(ended) })
    },
  })
  return {
    turn: async (text) => {
      if (ended) throw new Error(`claude query ended: ${String(ended)}`)
      const result = new Promise<Record<string, unknown>>((resolve) => (done = resolve))
      const t0 = now()
      query.offer(sdkUserMessage({ text, attachments: [] }, { uuid: randomUUID() }))
      const r = await bounded(result, 'claude result')
      const ms = now() - t0
      done = null
      if (r.is_error === true) throw new Error(`claude turn failed: ${String(r.result)}`)
      return ms
    },
    close: () => query.close(),
  }
}

// Through Loom: the worker in Miniflare and a real runner process.

/** Only what the runner and its providers need, as test/e2e/support/provider-e2e.ts gives it. */
const runnerEnv = (s: Setup, home: string): Record<string, string> => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  ...(process.env.LANG ? { LANG: process.env.LANG } : {}),
  HOME: home,
  ...s.providerEnv,
})

type RunnerProc = { child: ChildProcess; probes: Probe[]; stderr: string[]; lines: Array<{ msg?: string }> }

const startRunner = (s: Setup, server: Server, token: string, workspace: string): RunnerProc => {
  const args = ['--import', PROBE, RUNNER_CLI, '--server', server.url, '--token', token, '--workspace', workspace, '--log-format', 'json']
  // Tethered: if the benchmark dies, the kernel sends the runner SIGTERM; its own group for the final kill.
  const { command, args: argv } = tethered(process.execPath, args)
  const child = spawn(command, argv, { cwd: root, env: runnerEnv(s, workspace), stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  const proc: RunnerProc = { child, probes: [], stderr: [], lines: [] }
  const split = (onLine: (line: string) => void) => {
    let partial = ''
    return (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n')
      partial = parts.pop() ?? ''
      for (const line of parts) if (line.trim()) onLine(line)
    }
  }
  child.stdout?.on(
    'data',
    split((line) => {
      try {
        proc.lines.push(JSON.parse(line))
      } catch {
        proc.stderr.push(line)
      }
    }),
  )
  child.stderr?.on(
    'data',
    split((line) => {
      if (line.startsWith('PROBE ')) proc.probes.push(JSON.parse(line.slice(6)) as Probe)
      else if (proc.stderr.push(line) > 50) proc.stderr.shift()
    }),
  )
  return proc
}

const alive = (pid: number): boolean => {
  try {
    process.kill(-pid, 0)
    return true
  } catch {
    return false
  }
}

/** SIGTERM (the runner closes its provider sessions and exits), then SIGKILL to its whole group. */
const stopRunner = async (proc: RunnerProc): Promise<void> => {
  const pid = proc.child.pid
  if (pid === undefined) return
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM')
  for (let deadline = Date.now() + 10_000; alive(pid) && Date.now() < deadline; ) await sleep(50)
  if (alive(pid)) process.kill(-pid, 'SIGKILL')
  for (let deadline = Date.now() + 5_000; alive(pid) && Date.now() < deadline; ) await sleep(50)
  if (alive(pid)) console.warn(`[bench turns] process group ${pid} still alive after SIGKILL`)
}

const openLoomPath = async (s: Setup, server: Server, secret: string): Promise<Path & { stretches: (from: number) => Stretches[] }> => {
  const workspaceId = uniqueId('turns-ws')
  const userToken = await mintToken(secret, 'user:bench', ['read', 'operate'], [workspaceId])
  const runnerToken = await mintToken(secret, 'runner:bench', ['runner'], [workspaceId])
  const threadId = uniqueId('turns-thread')
  const workspace = join(s.dir, 'loom-workspace')
  mkdirSync(workspace, { recursive: true })
  await dispatch(server, userToken, {
    type: 'thread.create',
    threadId,
    workspaceId,
    title: `bench turns ${s.provider}`,
    modelSelection: { provider: s.provider, model: s.model },
    runtimeMode: 'approval-required',
  })

  // The subscriber: the time each run reached an end, taken as its frame arrives.
  const subscriber = await Socket.open(wsUrl(server, `/v1/ws?threadId=${threadId}`), clientProtocols(userToken))
  subscriber.send({ id: 1, method: 'subscribeThread', params: { threadId } })
  await subscriber.until((frames) => frames.find((f) => f.item?.kind === 'snapshot'), 10_000)
  subscriber.keep = false
  const ended: Array<{ runId: string; status: string; t: number; failure: unknown }> = []
  let wake: (() => void) | null = null
  subscriber.onFrame = (data) => {
    const t = now()
    const frame = JSON.parse(data)
    const event = frame.item?.kind === 'event' ? frame.item.event.event : null
    if (event?.type !== 'run.updated' || !['completed', 'failed', 'interrupted', 'cancelled'].includes(event.payload.status)) return
    ended.push({ runId: event.payload.id, status: event.payload.status, t, failure: event.payload.failure ?? null })
    wake?.()
  }

  const runner = startRunner(s, server, runnerToken, workspace)
  const close = async () => {
    subscriber.close()
    await stopRunner(runner)
  }
  try {
    for (let deadline = Date.now() + RUNNER_TIMEOUT_MS; !runner.lines.some((l) => l.msg === 'connected'); ) {
      if (runner.child.exitCode !== null || Date.now() > deadline) throw new Error(`the runner did not connect:\n${runner.stderr.join('\n')}`)
      await sleep(20)
    }
  } catch (error) {
    await close()
    throw error
  }

  const turns: Array<{ d0: number; d1: number; s: number }> = []
  return {
    turn: async (text) => {
      const seen = ended.length
      const d0 = now()
      await dispatch(server, userToken, { type: 'message.dispatch', threadId, text })
      const d1 = now()
      const arrived = new Promise<void>((resolve) => (wake = resolve))
      if (ended.length === seen) await bounded(arrived, `the subscriber to see run ${seen + 1} end`)
      wake = null
      const end = ended[seen]!
      if (end.status !== 'completed') throw new Error(`run ${end.runId} ended ${end.status}: ${JSON.stringify(end.failure)}\n${runner.stderr.join('\n')}`)
      turns.push({ d0, d1, s: end.t })
      return end.t - d0
    },
    close,
    stretches: (from) => turns.slice(from).map((turn) => stretchesOf(turn, runner.probes)),
  }
}

/** Splits one turn by the runner's probe points between its dispatch and its receipt. */
const stretchesOf = (turn: { d0: number; d1: number; s: number }, probes: Probe[]): Stretches => {
  const within = probes.filter((p) => p.t >= turn.d0 && p.t <= turn.s)
  const first = (p: string, after: number | undefined, also: (x: Probe) => boolean = () => true) =>
    after === undefined ? undefined : within.find((x) => x.p === p && x.t >= after && also(x))
  const effect = first('effect', turn.d0)
  const out = first('provider.out', effect?.t)
  const done = first('provider.in', out?.t)
  const batch = first('batch', done?.t, (x) => x.types?.includes('turn.completed') ?? false)
  const ack = probes.find((x) => x.p === 'ack' && batch !== undefined && x.t >= batch.t && (x.seq ?? 0) >= (batch.seq ?? Infinity))
  const span = (a: Probe | number | undefined, b: Probe | number | undefined): number | null => {
    const ta = typeof a === 'number' ? a : a?.t
    const tb = typeof b === 'number' ? b : b?.t
    return ta === undefined || tb === undefined ? null : tb - ta
  }
  return {
    post: turn.d1 - turn.d0,
    toRunner: span(turn.d0, effect),
    runnerIn: span(effect, out),
    provider: span(out, done),
    runnerOut: span(done, batch),
    toSubscriber: span(batch, turn.s),
    ack: span(batch, ack),
    total: turn.s - turn.d0,
  }
}

const bounded = <T>(promise: Promise<T>, what: string, ms = TURN_TIMEOUT_MS): Promise<T> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)))
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

const setupFor = async (provider: Provider): Promise<Setup> => {
  const dir = mkdtempSync(join(tmpdir(), `loom-bench-turns-${provider}-`))
  if (provider === 'claude') {
    const fake = await startFakeAnthropic()
    const providerEnv = fakeRunnerEnv({ anthropic: fake.url, key: 'bench-key' })
    return { provider, fake, model: fakeAnthropicModel, providerEnv, dir }
  }
  const fake = await startFakeOpenAI()
  const providerEnv = fakeRunnerEnv({ openai: fake.url, catalogPath: join(dir, 'catalog.json'), key: 'bench-key' })
  return { provider, fake, model: fakeOpenAIModel, providerEnv, dir }
}

/** Runs both paths for one provider, alternating which goes first each round. */
const measure = async (provider: Provider, server: Server, secret: string, log: (...args: unknown[]) => void): Promise<TurnResult> => {
  const s = await setupFor(provider)
  const paths: Array<Path & { stretches?: (from: number) => Stretches[] }> = []
  try {
    const direct = await (provider === 'codex' ? openDirectCodex(s) : openDirectClaude(s))
    paths.push(direct)
    const loom = await openLoomPath(s, server, secret)
    paths.push(loom)
    const result: TurnResult = { provider, loom: [], direct: [], stretches: [], load: { ours: 0, foreign: 0 } }
    const load = watchLoad()
    for (let i = 0; i < UNCOUNTED + TURNS; i++) {
      const order = i % 2 === 0 ? (['loom', 'direct'] as const) : (['direct', 'loom'] as const)
      for (const side of order) {
        const ms = await (side === 'loom' ? loom : direct).turn(`Benchmark turn ${i + 1}, please.`)
        if (i >= UNCOUNTED) result[side].push(ms)
      }
    }
    result.load = load.stop()
    result.stretches = loom.stretches(UNCOUNTED)
    log(`${provider}: through Loom p50 ${median(result.loom).toFixed(1)} ms, direct p50 ${median(result.direct).toFixed(1)} ms`)
    return result
  } finally {
    for (const path of paths.reverse()) await path.close().catch((e: unknown) => console.warn(`[bench turns] close: ${String(e)}`))
    await s.fake.close()
    rmSync(s.dir, { recursive: true, force: true, maxRetries: 3 })
  }
}

export const runTurns = async (server: Server, secret: string, log: (...args: unknown[]) => void): Promise<TurnResult[]> => {
  const results: TurnResult[] = []
  for (const provider of TURN_PROVIDERS) {
    log(`warm text turns: ${provider} (${UNCOUNTED} + ${TURNS} per path)`)
    results.push(await measure(provider, server, secret, log))
  }
  return results
}

// The report.

const ms = (n: number | null): string => (n === null || Number.isNaN(n) ? '–' : `${n.toFixed(1)} ms`)
const med = (values: Array<number | null>): number | null => {
  const known = values.filter((v): v is number => v !== null)
  return known.length === 0 ? null : median(known)
}

const PATHS: Record<Provider, string> = {
  codex: 'direct: JSON-RPC client, `turn/start` → `turn/completed`',
  claude: 'direct: streaming-input `query()`, user message → `result`',
}

/** The figures as markdown: latency per provider and path, the overhead, and the stretches. */
export const turnsTables = (results: TurnResult[]): string => {
  const lines = ['| provider | path | turns | p50 | p95 | min | max |', '|---|---|--:|--:|--:|--:|--:|']
  const verdicts: string[] = []
  for (const r of results) {
    const row = (label: string, values: number[]) =>
      lines.push(`| ${r.provider} | ${label} | ${values.length} | ${ms(median(values))} | ${ms(percentile(values, 95))} | ${ms(Math.min(...values))} | ${ms(Math.max(...values))} |`)
    row(PATHS[r.provider], r.direct)
    row('through Loom: dispatch → subscriber sees run completed', r.loom)
    const overhead = median(r.loom) - median(r.direct)
    const p95 = percentile(r.loom, 95) - percentile(r.direct, 95)
    verdicts.push(`| ${r.provider} | ${ms(overhead)} | ${ms(p95)} | ≤ ${OVERHEAD_TARGET_MS} ms | ${overhead <= OVERHEAD_TARGET_MS ? 'yes' : '**no**'} |`)
  }
  const overhead = ['| provider | Loom overhead (p50 difference) | p95 difference | target | met |', '|---|--:|--:|---|---|', ...verdicts]
  const stretch = [`| stretch of a Loom turn (median) | ${results.map((r) => r.provider).join(' | ')} |`, `|---|${results.map(() => '--:').join('|')}|`]
  for (const [key, label] of STRETCHES) stretch.push(`| ${label} | ${results.map((r) => ms(med(r.stretches.map((x) => x[key])))).join(' | ')} |`)
  const pct = (share: number) => `${(100 * share).toFixed(0)}%`
  const load = `While the turns ran, the processes measured (the benchmark with its fake servers, workerd, the runner and the providers) used ${results.map((r) => `${pct(r.load.ours)} (${r.provider})`).join(' and ')} of the machine's CPU, and other processes ${results.map((r) => `${pct(r.load.foreign)} (${r.provider})`).join(' and ')}.`
  return [lines.join('\n'), overhead.join('\n'), stretch.join('\n'), load].join('\n\n')
}

export const TURNS_METHOD = `- Each provider gets its own fake model server (fixtures/fake-models, default reply: \`reply N: <text>\` as
  word deltas, no pacing), used by both paths. Through Loom: the worker bundle in Miniflare (the same instance as the
  rest of the benchmark), a thread created over HTTP with \`approval-required\`, a subscriber on \`/v1/ws\`
  (\`subscribeThread\`), and a real \`loom-runner\` process (runner/cli.ts, default options, its own workspace and
  state directory in a temp dir, provider settings in its environment as the e2e suite gives them). A turn is timed
  from just before the \`message.dispatch\` POST until the subscriber receives \`run.updated\` with status
  \`completed\`. Direct: the adapter's own client in the benchmark process against a warm provider, with the same
  provider configuration and policy (Codex: \`prepareCodexHome\` + \`CodexRpcClient\`, \`turn/start\` until the
  \`turn/completed\` notification; Claude: \`ClaudeQuery\` as runner/claude/session.ts opens it, a user message until
  \`result\`). One thread per path; the paths alternate turn by turn (which goes first alternates too); the first
  ${UNCOUNTED} turns of each path are not counted (the first is cold: it spawns the app-server or the CLI), then ${TURNS} are.
- p50 is the median, p95 the nearest-rank 95th percentile. The overhead is Loom's p50 minus the direct p50.
- Stretches: the runner is started with \`node --import bench/turn-probe.ts\`, which timestamps its thread-link frames
  (turn.start effect in, batches out, acks in) and the provider's stdio (Codex \`turn/start\` written,
  \`turn/completed\` read; Claude's user message written, \`result\` read) on the benchmark's clock; medians of each
  stretch over the counted turns, so they need not add up to the median total.`

/** The whole section, between markers so later runs replace it (bench/report.ts). */
export const turnsSection = (results: TurnResult[], environment: string, start: string, end: string): string =>
  `${start}
## Warm text turn through the whole system

A text turn against the fake model servers, through Loom (HTTP dispatch → worker in Miniflare → \`loom-runner\` →
provider → subscriber) beside the same turn straight against the provider, in the same run
(\`npm run bench -- --only turns\` runs just this).

${environment}

${turnsTables(results)}

### Method (warm turns)
${TURNS_METHOD}
${end}`
