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
import { startReplayWorker } from './worker.ts'

export type SystemReplayResult = {
  provider: ProviderKind
  /** Every stored event the subscriber saw, in stream order. */
  events: StoredEvent[]
  projection: ThreadProjection
  /** Why the replay itself did not pass: a replay failure, a stuck driver, entries left. */
  problems: string[]
  /** Broken projection invariants (invariants.ts). */
  violations: string[]
}

type Transport = {
  adapter: ReturnType<typeof replayAdapter>
  drive: (t: SystemThread) => Promise<void>
  /** The recording's runtime ended: end the provider process as it did (before the runner closes sessions). */
  end: () => Promise<void>
  finish: () => void
}

const transportOf = (transcript: Transcript, mode: MatchMode): Transport => {
  const version = transcript.header.version
  if (transcript.header.protocol === 'codex.app-server') {
    const replay = createCodexReplay(transcript, { mode })
    const adapter = createCodexAdapter({ spawnProcess: () => replay.spawn(), interruptGraceMs: 1000 })
    return {
      adapter: replayAdapter(adapter, version),
      drive: (t) => driveCodex(replay, t),
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
  return { adapter: replayAdapter(adapter, version), drive: (t) => driveClaude(transcript, t), end: async () => undefined, finish: () => replay.assertComplete() }
}

const message = (error: unknown): string => (error instanceof ReplayError ? explainReplayError(error) : error instanceof Error ? error.message : String(error))

/** Replays `transcript` through the whole system; never throws for a replay that goes wrong (see `problems`). */
export async function replayThroughSystem(transcript: Transcript, opts: { mode?: MatchMode } = {}): Promise<SystemReplayResult> {
  const provider: ProviderKind = transcript.header.protocol === 'codex.app-server' ? 'codex' : 'claude'
  const transport = transportOf(transcript, opts.mode ?? 'compatible')
  const problems: string[] = []
  const worker = await startReplayWorker()
  let thread: SystemThread | null = null
  let runner: ReturnType<typeof startRunner> | null = null
  try {
    const days = 1
    const runnerToken = await mintToken(worker.secret, { sub: 'runner:replay', scopes: ['runner'], workspaces: [REPLAY_WORKSPACE], days })
    const userToken = await mintToken(worker.secret, { sub: 'user:replay', scopes: ['read', 'operate'], workspaces: [REPLAY_WORKSPACE], days })
    runner = startRunner({ server: worker.url, token: runnerToken, provider, adapter: transport.adapter })
    thread = new SystemThread(worker.url, userToken)
    const created = await thread.command({ type: 'thread.create', workspaceId: REPLAY_WORKSPACE, title: transcript.header.scenario, modelSelection: MODEL[provider] })
    if (created.status !== 200) throw new Error(`thread.create refused (${created.status}): ${JSON.stringify(created.body)}`)
    await thread.subscribe()
    await transport.drive(thread).catch((error: unknown) => void problems.push(message(error)))
    await thread.quiet()
    const atEnd = thread.projection()
    await transport.end()
    await thread.quiet()
    await runner.stop()
    runner = null
    await thread.quiet()
    try {
      transport.finish()
    } catch (error) {
      problems.push(message(error))
    }
    const events = thread.events
    const projection = thread.projection()
    return { provider, events, projection, problems, violations: invariantViolations(events, projection, atEnd) }
  } finally {
    thread?.close()
    if (runner) await runner.stop()
    await worker.dispose()
  }
}
