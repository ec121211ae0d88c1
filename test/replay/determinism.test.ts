/**
 * Replaying the same transcript twice yields the identical event log. Ids are derived; the
 * worker's wall-clock times, the runner's random id and the replay's own thread and workspace
 * names are normalized (scripts/replay/event-log.ts). All four replays run at once: each
 * provider's first on a fresh worker, its second on one worker shared with the other provider's.
 */
import { afterAll, beforeAll, describe, it } from 'vitest'
import { comparableLog } from '../../scripts/replay/event-log.ts'
import { replayThroughSystem } from '../../scripts/replay/harness.ts'
import { startReplayWorker, type ReplayWorker } from '../../scripts/replay/worker.ts'
import { corpusTranscript } from './support/corpus.ts'

let worker: ReplayWorker
beforeAll(async () => {
  worker = await startReplayWorker()
})
afterAll(() => worker.dispose())

describe('a second replay', () => {
  it.concurrent.for(['codex', 'claude'] as const)('%s: multi_turn yields the identical event log, on a fresh worker or beside other replays on a shared one', async (provider, { expect }) => {
    const transcript = corpusTranscript('multi_turn', provider)
    const [first, second] = await Promise.all([
      replayThroughSystem(transcript),
      replayThroughSystem(transcript, { worker, threadId: `thread-second-${provider}`, workspaceId: `ws-second-${provider}` }),
    ])
    expect(first.problems).toEqual([])
    expect(first.events.length).toBeGreaterThan(0)
    expect(comparableLog(second.events)).toEqual(comparableLog(first.events))
  })
})
