/**
 * @module The whole-system replay: a fresh worker in Miniflare (scripts/local-worker.ts), the real
 * Runner in this process whose only adapter is the real Codex or Claude adapter on a replay
 * transport (only the provider process boundary is replaced), one thread created and driven
 * through the worker's HTTP API from the transcript's user actions, and the projection folded
 * from what a WebSocket subscriber saw from the first event. Shared by test/replay/ and
 * scripts/replay.ts.
 */
import type { ProviderKind, StoredEvent, ThreadProjection } from '../../src/contracts/index.ts'
import { MODEL } from '../../src/domain/testing/steps.ts'
import { ClaudeAdapter } from '../../runner/claude/adapter.ts'
import { replayQuery } from '../../runner/claude/replay-query.ts'
import { createCodexAdapter } from '../../runner/codex/adapter.ts'
import { createCodexReplay, explainReplayError } from '../../runner/codex/replay-transport.ts'
import { ReplayError, type MatchMode, type Transcript } from '../../runner/replay/index.ts'
import { mintToken } from '../tokens.ts'
import { driveClaude } from './drive-claude.ts'
import { driveCodex } from './drive-codex.ts'
import { invariantViolations } from './invariants.ts'
import { startRunner, replayAdapter } from './runner.ts'
import { REPLAY_WORKSPACE, SystemThread } from './thread.ts'
import { REPLAY_IDLE_SECONDS, restartsProvider } from './idle-release.ts'
import { rollsBack } from './rollback.ts'
import { startReplayWorker, type ReplayWorker } from './worker.ts'

export type SystemReplayResult = {
  provider: ProviderKind
  /** Every stored event the subscriber saw, in stream order. */
  events: StoredEvent[]
  projection: ThreadProjection
  /** Why the replay itself did not pass: a replay failure, a stuck driver, entries left. */
  problems: string[]
  /** Broken projection invariants (invariants.ts), of the thread and of its forks. */
  violations: string[]
  /** Threads the replay forked from the thread (or from a fork), in the order they were made. */
  forks: ForkedThread[]
}

export type ForkedThread = { threadId: string; events: StoredEvent[]; projection: ThreadProjection }

type Transport = {
  adapter: ReturnType<typeof replayAdapter>
  /** `forks`: where the driver puts the threads it forks. */
  drive: (t: SystemThread, forks: SystemThread[]) => Promise<void>
  /** The recording's runtime ended: end the provider process as it did (before the runner closes sessions); none for Claude. */
  end?: () => Promise<void>
  finish: () => void
}

const transportOf = (transcript: Transcript, mode: MatchMode): Transport => {
  const version = transcript.header.version
  if (transcript.header.protocol === 'codex.app-server') {
    const replay = createCodexReplay(transcript, { mode })
    const adapter = createCodexAdapter({ spawnProcess: () => replay.spawn(), interruptGraceMs: 1000 })
    return {
      adapter: replayAdapter(adapter, version),
      drive: (t, forks) => driveCodex(replay, t, forks),
      // Codex exits cleanly when its stdin closes; the recording has no `thread/unsubscribe` after that.
      end: async () => {
        await adapter.shutdown()
        await replay.idle()
      },
      finish: () => replay.finish(),
    }
  }
  const replay = replayQuery(transcript, { mode })
  const adapter = new ClaudeAdapter({ queryFn: replay.queryFn, interruptGraceMs: 20 })
  return { adapter: replayAdapter(adapter, version), drive: (t, forks) => driveClaude(transcript, t, forks), finish: () => replay.assertComplete() }
}

const message = (error: unknown): string => (error instanceof ReplayError ? explainReplayError(error) : error instanceof Error ? error.message : String(error))

export type SystemReplayOptions = {
  mode?: MatchMode
  /**
   * A worker already running, shared by several replays (it is left running); each replay then
   * needs its own `threadId` and `workspaceId`. Default: a fresh worker, disposed at the end
   * (releasing idle sessions after REPLAY_IDLE_SECONDS when the recording restarts the provider).
   */
  worker?: ReplayWorker
  threadId?: string
  workspaceId?: string
  /** Run in a git workspace, so the runner captures checkpoints and rollbacks can be driven (slower); default: when the recording rolls back. */
  git?: boolean
}

/** Replays `transcript` through the whole system; never throws for a replay that goes wrong (see `problems`). */
export async function replayThroughSystem(transcript: Transcript, opts: SystemReplayOptions = {}): Promise<SystemReplayResult> {
  const provider: ProviderKind = transcript.header.protocol === 'codex.app-server' ? 'codex' : 'claude'
  const transport = transportOf(transcript, opts.mode ?? 'compatible')
  const problems: string[] = []
  const workspace = opts.workspaceId ?? REPLAY_WORKSPACE
  // A recording that restarts the provider replays as idle releases: a worker that releases soon.
  const worker = opts.worker ?? (await startReplayWorker(restartsProvider(transcript) ? { idleSeconds: REPLAY_IDLE_SECONDS } : {}))
  let thread: SystemThread | null = null
  const forks: SystemThread[] = []
  let runner: ReturnType<typeof startRunner> | null = null
  try {
    const days = 1
    const runnerToken = await mintToken(worker.secret, { sub: 'runner:replay', scopes: ['runner'], workspaces: [workspace], days })
    const userToken = await mintToken(worker.secret, { sub: 'user:replay', scopes: ['read', 'operate'], workspaces: [workspace], days })
    runner = startRunner({ server: worker.url, token: runnerToken, provider, adapter: transport.adapter, git: opts.git ?? rollsBack(transcript) })
    thread = new SystemThread(worker.url, userToken, opts.threadId)
    // fixtures:record names the runtime / interaction mode a fixture was recorded in (metadata.thread).
    const { runtimeMode, interactionMode } = (transcript.header.metadata?.thread ?? {}) as { runtimeMode?: string; interactionMode?: string }
    const created = await thread.command({ type: 'thread.create', workspaceId: workspace, title: transcript.header.scenario, modelSelection: MODEL[provider], runtimeMode, interactionMode })
    if (created.status !== 200) throw new Error(`thread.create refused (${created.status}): ${JSON.stringify(created.body)}`)
    await thread.subscribe()
    await transport.drive(thread, forks).catch((error: unknown) => void problems.push(message(error)))
    const all = [thread, ...forks]
    const quiet = () => Promise.all(all.map((t) => t.quiet()))
    // The driver caused nothing since it last waited for a quiet stream (if it did): no need to wait as long again.
    await Promise.all(all.map((t) => t.quietSinceSeen()))
    const atEnd = all.map((t) => t.projection())
    if (transport.end) {
      await transport.end()
      await quiet()
    }
    await runner.stop()
    runner = null
    // The runner stopped once the worker had stored all it sent: the subscribers need only catch up.
    await Promise.all(all.map((t) => t.caughtUp())).catch((error: unknown) => void problems.push(message(error)))
    try {
      transport.finish()
    } catch (error) {
      problems.push(message(error))
    }
    const events = thread.events
    const projection = thread.projection()
    const violations = all.flatMap((t, i) => invariantViolations(t.events, t.projection(), atEnd[i]).map((v) => (i === 0 ? v : `fork ${t.threadId}: ${v}`)))
    return { provider, events, projection, problems, violations, forks: forks.map((t) => ({ threadId: t.threadId, events: t.events, projection: t.projection() })) }
  } finally {
    thread?.close()
    for (const fork of forks) fork.close()
    if (runner) await runner.stop()
    if (!opts.worker) await worker.dispose()
  }
}
