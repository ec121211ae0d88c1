/**
 * @module Plays one scenario script (fixtures/scenarios) against a REAL adapter session (the
 * pinned `codex app-server` or Claude Agent SDK) pointed at a fake model server, the way the
 * runner would: the thread domain (ThreadWorld) decides, its runner effects are carried out one
 * at a time on the session, and the session's runtime events fold back in. Every native frame
 * is captured in memory. The layout (cwd, stateDir, model) mirrors the replay helpers
 * (runner/codex/testing/replay-world.ts, runner/claude/replay-thread.ts), so a strict replay
 * sends the same frames.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Effect, RuntimeEvent } from '../src/contracts/index.ts'
import { ThreadWorld, type Step } from '../src/domain/testing/decider-spec.ts'
import { checkpoint, command, create, dispatch, interrupt, linked, MODEL, runId, THREAD } from '../src/domain/testing/steps.ts'
import { codexApiKeyEnv, fakeModelInfo, type FakeModelServer } from '../fixtures/fake-models/index.ts'
import { textFor, type FixtureProvider, type Scenario, type ScenarioStep } from '../fixtures/scenarios/index.ts'
import type { ProviderAdapter, ProviderSession } from '../runner/adapter.ts'
import { ClaudeAdapter } from '../runner/claude/adapter.ts'
import { runEnded, runStarted } from '../runner/claude/replay-projection.ts'
import { createCodexAdapter, type CodexAdapter } from '../runner/codex/adapter.ts'
import type { NativeLog } from '../runner/native-log.ts'
import type { TranscriptEntry } from '../runner/replay/index.ts'
import { scrubEntries } from './record-fixtures-scrub.ts'
import { failureOf } from '../runner/sessions/failure-of.ts'

/** How long one wait of a scenario may take (real time). */
const WAIT_MS = 30_000
/** How long the session must be silent before a user action. */
const QUIET_MS = 150
/** How long the session must be silent before interrupting a running tool (its command runs for seconds). */
const TOOL_QUIET_MS = 600

/** Turn item content types of tools that run (what an interrupt mid-tool waits for). */
const TOOL_ITEMS = new Set(['command_execution', 'file_change', 'dynamic_tool', 'web_search'])

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The provider environment that points a session at the fake server (as test/e2e/support/provider-e2e.ts does). */
const providerEnv = (provider: FixtureProvider, fake: FakeModelServer, home: string): Record<string, string> => {
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home }
  if (provider === 'claude') return { ...base, ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: 'test-key', CLAUDE_CODE_MAX_RETRIES: '0' }
  return { ...base, LOOM_CODEX_MODEL_CATALOG: catalog(home), LOOM_CODEX_BASE_URL: fake.url, LOOM_CODEX_ENV_KEY: codexApiKeyEnv, LOOM_CODEX_MAX_RETRIES: '0', [codexApiKeyEnv]: 'test-key' }
}

/** A model catalog naming the thread's model (the domain's default), written into `home`. */
const catalog = (home: string): string => {
  const path = join(home, 'catalog.json')
  writeFileSync(path, JSON.stringify({ models: [{ ...fakeModelInfo(), slug: MODEL.codex.model, display_name: MODEL.codex.model }] }))
  return path
}

/** Runs `scenario` on `provider`; returns the native frames the session logged, in order, and the temp root. */
/** What a recording captured: the frames, and the temp root they name (to be renamed by the normalizer). */
export type DrivenScenario = { entries: TranscriptEntry[]; root: string }

export async function driveScenario(scenario: Scenario, provider: FixtureProvider, fake: FakeModelServer): Promise<DrivenScenario> {
  const root = mkdtempSync(join(tmpdir(), `loom-record-${provider}-`))
  const home = mkdtempSync(join(tmpdir(), `loom-record-home-`))
  // The replay helpers' layout: Codex works in the root, Claude in root/work; state in root/state.
  const cwd = provider === 'codex' ? root : join(root, 'work')
  mkdirSync(cwd, { recursive: true })
  const entries: TranscriptEntry[] = []
  const log: NativeLog = {
    outbound: (frame) => entries.push({ type: 'expect_outbound', frame, line: entries.length + 2 }),
    inbound: (frame) => entries.push({ type: 'emit_inbound', frame, line: entries.length + 2 }),
    exit: (status, error) => entries.push(error === undefined ? { type: 'runtime_exit', status, line: entries.length + 2 } : { type: 'runtime_exit', status, error, line: entries.length + 2 }),
  }
  const codex: CodexAdapter | null = provider === 'codex' ? createCodexAdapter({ interruptGraceMs: 1_000 }) : null
  const adapter: ProviderAdapter = codex ?? new ClaudeAdapter({ interruptGraceMs: 1_000 })
  const world = new ThreadWorld()
  const problems: string[] = []
  let deltas = 0
  let routed = 0
  let queue: Promise<void> = Promise.resolve()
  let session: Promise<ProviderSession> | null = null

  const apply = (step: Step, what: string) => {
    const outcome = world.apply(step)
    if (!outcome.ok) problems.push(`${what} refused: ${outcome.error.code}: ${outcome.error.message}`)
    for (const effect of world.outbox.slice(routed)) queue = queue.then(() => carry(effect))
    routed = world.outbox.length
  }
  const ingest = (event: RuntimeEvent) => {
    apply({ runtime: event.at === undefined ? { ...event, at: 1_000 } : event }, `runtime ${event.type}`)
    if (provider === 'codex' && event.type === 'turn.completed') {
      const ordinal = world.state.runs.get(event.runId)?.ordinal
      if (ordinal !== undefined) apply(checkpoint(0, ordinal), 'checkpoint.captured')
    }
  }
  const open = (): Promise<ProviderSession> =>
    (session ??= adapter.openSession({ threadId: THREAD, cwd, stateDir: join(root, 'state'), providerEnv: providerEnv(provider, fake, home), emit: ingest, delta: () => void deltas++, log }))
  const carry = async (effect: Effect): Promise<void> => {
    const body = effect.body
    try {
      const s = body.kind === 'session.close' ? null : await open()
      if (body.kind === 'turn.start') await s!.startTurn(body)
      else if (body.kind === 'turn.steer') await s!.steerTurn(body)
      else if (body.kind === 'turn.interrupt') await s!.interruptTurn(body)
      else if (body.kind === 'request.respond') await s!.respond(body)
      else return
      ingest({ type: 'effect.completed', effectId: effect.effectId })
    } catch (cause) {
      ingest({ type: 'effect.failed', effectId: effect.effectId, failure: failureOf(cause) })
    }
  }
  const until = async (what: string, check: () => boolean) => {
    const deadline = Date.now() + WAIT_MS
    while (!check()) {
      if (problems.length > 0) throw new Error(`${scenario.name}/${provider}: ${problems.join('; ')}`)
      if (Date.now() > deadline) throw new Error(`${scenario.name}/${provider}: ${what}: not within ${WAIT_MS} ms`)
      await sleep(10)
    }
  }
  const closeSession = async () => {
    const live = session as Promise<ProviderSession> | null
    session = null
    if (live) await (await live).close('test_end')
  }
  const settle = async () => {
    for (let seen: Promise<void> | null = null; seen !== queue; ) await (seen = queue)
  }
  /** Waits until no frame came for QUIET_MS, so a user action lands at the same place in every recording. */
  const quiet = async (ms = QUIET_MS) => {
    for (let seen = -1; seen !== entries.length; ) {
      seen = entries.length
      await sleep(ms)
    }
  }
  let runs = 0
  const pending = () => [...world.state.runtimeRequests.values()].find((r) => r.status === 'pending')
  const toolRunning = () => [...world.state.turnItems.values()].some((i) => i.runId === runId(runs) && i.status === 'running' && TOOL_ITEMS.has(i.content.type))
  const step = async (s: ScenarioStep) => {
    if (s.kind !== 'wait') await quiet()
    switch (s.kind) {
      case 'send': {
        const text = textFor(s.text, provider)
        if (s.mode === 'steer') {
          // After the first streamed delta (the reply is paced), so the steer lands at the same place every time.
          await until(`run ${runs} streams`, () => runStarted(world, runs) && deltas >= 1)
          await quiet()
          apply(dispatch(text, { dispatchMode: { type: 'steer_active', targetRunId: runId(runs) } }), 'steer')
          return
        }
        const n = ++runs
        deltas = 0
        apply(dispatch(text, s.mode === 'queue' ? { dispatchMode: { type: 'queue_after_active' } } : {}), 'message.dispatch')
        if (s.wait !== 'none') await until(`run ${n} ends`, () => runEnded(world, n))
        return
      }
      case 'answer': {
        await until('a runtime request is pending', () => pending() !== undefined)
        await quiet()
        const request = pending()!
        const answer = 'decision' in s ? { decision: s.decision } : { answers: Object.fromEntries((request.questions ?? []).map((q, i) => [q.id, s.answers[i] ?? []])) }
        apply(command({ type: 'runtime-request.respond', requestId: request.id, ...answer }), 'runtime-request.respond')
        return
      }
      case 'interrupt':
        if ('whileTool' in s) await until('a tool item runs', toolRunning)
        else await until(`${s.afterDeltas} deltas stream`, () => deltas >= s.afterDeltas)
        // A running tool leaves time: wait out the model call's trailing notifications (usage) too.
        await quiet('whileTool' in s ? TOOL_QUIET_MS : QUIET_MS)
        apply(interrupt(runs), 'run.interrupt')
        return
      case 'wait':
        await until(`run ${s.run} ends`, () => runEnded(world, s.run))
        return
      case 'restart':
        // As Loom's idle release: the session closes, its provider process ends with it (Codex's
        // pool closes a process with no session left), and the next turn resumes in a fresh one.
        await settle()
        await closeSession()
        await settle()
        return
    }
  }

  try {
    apply(create({ provider, ...scenario.thread }), 'thread.create')
    apply(linked(), 'runner.linked')
    if (provider === 'codex') apply(checkpoint(0), 'checkpoint.captured')
    for (const s of scenario.steps) await step(s)
    await settle()
    // Codex ends like a replay at its runtime_exit (the shared app-server shut down); Claude like ReplayedThread.finish (the session closed).
    if (codex) await codex.shutdown()
    else await closeSession()
    await settle()
    const statuses = [...world.state.runs.values()].sort((a, b) => a.ordinal - b.ordinal).map((r) => r.status)
    if (JSON.stringify(statuses) !== JSON.stringify(scenario.runs)) throw new Error(`${scenario.name}/${provider}: runs ended ${statuses.join(', ')}, expected ${scenario.runs.join(', ')}`)
    if (problems.length > 0) throw new Error(`${scenario.name}/${provider}: ${problems.join('; ')}`)
    await quiet()
    return { entries: scrubEntries(entries), root }
  } finally {
    // On a failure too: no provider process outlives the recording.
    if (codex) await codex.shutdown()
    else await closeSession().catch((error: unknown) => console.warn(`closing the Claude session: ${String(error)}`))
    rmSync(root, { recursive: true, force: true, maxRetries: 3 })
    rmSync(home, { recursive: true, force: true, maxRetries: 3 })
  }
}
