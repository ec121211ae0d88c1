/**
 * @module Replays a lineage recording (fixtures/transcripts/<lineage scenario>/<provider>.ndjson,
 * one transcript per provider the recording used) through the whole system: the worker in
 * Miniflare, the real Runner in this process holding the real adapter of each provider on its
 * STRICT replay transport (runner/codex/replay-transport.ts, runner/claude/replay-query.ts), a
 * git workspace, and the scenario's own steps played through the API by the same executor that
 * recorded it (lineage-steps.ts), not inferred from the frames. The adapters' outbound frames are
 * captured as sent (lineage-capture.ts), for the scenario's "received" checks.
 *
 * The recording's thread ids (`<scenario>-rec-<thread>`) appear in what the providers were sent
 * (a merge-back handoff names its fork): the transcript text is renamed to this replay's ids
 * (`<scenario>-<tag>-<thread>`) before it is parsed, as if recorded on these threads.
 */
import type { ProviderKind, StoredEvent, ThreadProjection } from '../../src/contracts/index.ts'
import { startsOn, type FixtureProvider, type LineageScenario } from '../../fixtures/scenarios/lineage/index.ts'
import { ClaudeAdapter } from '../../runner/claude/adapter.ts'
import { replayQuery } from '../../runner/claude/replay-query.ts'
import { createCodexAdapter } from '../../runner/codex/adapter.ts'
import { createCodexReplay, explainReplayError } from '../../runner/codex/replay-transport.ts'
import type { RunnerAdapter } from '../../runner/adapters/registry.ts'
import { parseTranscript, ReplayError } from '../../runner/replay/index.ts'
import { mintToken } from '../tokens.ts'
import { invariantViolations } from './invariants.ts'
import { tapProcess, teeSessions, type CapturedFrames } from './lineage-capture.ts'
import { lineageIdPrefix, RECORDED_TAG, runLineageSteps, type LineageThreads } from './lineage-steps.ts'
import { replayAdapter, startRunner } from './runner.ts'
import type { ReplayWorker } from './worker.ts'

/** A replay step waits this long at most (a replay is fast; a stuck one fails soon). */
const WAIT_MS = 10_000
const QUIET_MS = 30

export type LineageReplayedThread = { threadId: string; events: StoredEvent[]; projection: ThreadProjection }

export type LineageReplayResult = {
  /** Thread ids of this replay are `<idPrefix>-<thread name>`. */
  idPrefix: string
  threads: Map<string, LineageReplayedThread>
  /** Every frame each provider's adapter sent and got, as live (un-normalized). */
  frames: CapturedFrames
  /** Why the replay itself did not pass: a replay failure, a stuck step, entries left. */
  problems: string[]
  /** Broken projection invariants (invariants.ts), per thread. */
  violations: string[]
}

type Transport = { adapter: RunnerAdapter; idle: () => Promise<void>; end: () => Promise<void>; finish: () => void }

const transportOf = (provider: ProviderKind, text: string, name: string, frames: CapturedFrames): Transport => {
  const transcript = parseTranscript(text, name)
  const entries = frames.get(provider) ?? []
  frames.set(provider, entries)
  if (provider === 'codex') {
    const replay = createCodexReplay(transcript, { mode: 'strict' })
    const adapter = createCodexAdapter({ spawnProcess: () => tapProcess(replay.spawn(), entries), interruptGraceMs: 1000 })
    return {
      adapter: replayAdapter(adapter, transcript.header.version),
      idle: () => replay.idle(),
      // The recording ended the shared app-server before the runner closed its sessions (no unsubscribes).
      end: async () => {
        await adapter.shutdown()
        await replay.idle()
      },
      finish: () => replay.finish(),
    }
  }
  const replay = replayQuery(transcript, { mode: 'strict' })
  const adapter = new ClaudeAdapter({ queryFn: replay.queryFn, interruptGraceMs: 20 })
  return { adapter: replayAdapter(teeSessions(adapter, entries), transcript.header.version), idle: async () => undefined, end: async () => undefined, finish: () => replay.assertComplete() }
}

/**
 * Only a rollback needs checkpoints, so only then a git workspace (its worktrees and checkpoint
 * commits cost a second per replay). Elsewhere the threads share the workspace folder instead of
 * a worktree each, which the providers are not told otherwise than by `cwd`, normalized in both
 * the recording and the replay: the frames match strictly all the same.
 */
const rollsBack = (scenario: LineageScenario): boolean => scenario.steps.some((s) => s.kind === 'rollback')

const message = (error: unknown): string => (error instanceof ReplayError ? explainReplayError(error) : error instanceof Error ? error.message : String(error))

/**
 * Replays `scenario`'s recording of `providers` (their transcripts' texts in `texts`) on `worker`,
 * on threads named with `tag` (unique per replay on a shared worker). Never throws for a replay
 * that goes wrong: see `problems`.
 */
export async function replayLineage(scenario: LineageScenario, providers: readonly FixtureProvider[], texts: Partial<Record<FixtureProvider, string>>, opts: { worker: ReplayWorker; tag: string }): Promise<LineageReplayResult> {
  const idPrefix = lineageIdPrefix(scenario, opts.tag)
  const recordedIds = `${lineageIdPrefix(scenario, RECORDED_TAG)}-`
  const frames: CapturedFrames = new Map()
  const problems: string[] = []
  const transports = new Map<ProviderKind, Transport>()
  for (const provider of providers) {
    const text = texts[provider]
    if (text === undefined) throw new Error(`${scenario.name}: no ${provider} transcript`)
    transports.set(provider, transportOf(provider, text.replaceAll(recordedIds, `${idPrefix}-`), `${scenario.name}/${provider}`, frames))
  }
  const workspaceId = `ws-${idPrefix}`
  const threads: LineageThreads = new Map()
  const { worker } = opts
  let runner: ReturnType<typeof startRunner> | null = null
  try {
    const runnerToken = await mintToken(worker.secret, { sub: 'runner:replay', scopes: ['runner'], workspaces: [workspaceId], days: 1 })
    const userToken = await mintToken(worker.secret, { sub: 'user:replay', scopes: ['read', 'operate'], workspaces: [workspaceId], days: 1 })
    runner = startRunner({ server: worker.url, token: runnerToken, adapters: new Map([...transports].map(([p, t]) => [p, t.adapter])), git: rollsBack(scenario) })
    const idle = () => Promise.all([...transports.values()].map((t) => t.idle()))
    const settle = async (ts: { quiet: (ms?: number) => Promise<void> }[]) => {
      await idle()
      await Promise.all(ts.map((t) => t.quiet(QUIET_MS)))
      await idle()
    }
    await runLineageSteps(scenario, { base: worker.url, token: userToken, workspaceId, idPrefix, provider: startsOn(scenario, providers), waitMs: WAIT_MS, settle }, threads).catch((error: unknown) => void problems.push(message(error)))
    const all = [...threads.values()]
    const atEnd = all.map((t) => t.projection())
    for (const t of transports.values()) await t.end()
    await runner.stop()
    runner = null
    // Every event the threads stored, seen by their subscribers (the last ones come with the runner's shutdown).
    await Promise.all(all.map((t) => t.caughtUp(WAIT_MS))).catch((error: unknown) => void problems.push(message(error)))
    for (const t of transports.values()) {
      try {
        t.finish()
      } catch (error) {
        problems.push(message(error))
      }
    }
    const violations = [...threads].flatMap(([name, t], i) => invariantViolations(t.events, t.projection(), atEnd[i]).map((v) => `${name}: ${v}`))
    return { idPrefix, threads: new Map([...threads].map(([name, t]) => [name, { threadId: t.threadId, events: t.events, projection: t.projection() }])), frames, problems, violations }
  } finally {
    for (const t of threads.values()) t.close()
    if (runner) await runner.stop()
  }
}
