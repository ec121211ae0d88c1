/**
 * Replaying the same transcript twice yields the identical event log. Ids are derived; the
 * worker's wall-clock times and the runner's random id are normalized (scripts/replay/event-log.ts).
 */
import { describe, expect, it } from 'vitest'
import { comparableLog } from '../../scripts/replay/event-log.ts'
import { replayThroughSystem } from '../../scripts/replay/harness.ts'
import { corpusTranscript } from './support/corpus.ts'

describe.each(['codex', 'claude'] as const)('%s: a second replay', (provider) => {
  it('multi_turn yields the identical event log', async () => {
    const transcript = corpusTranscript('multi_turn', provider)
    const first = await replayThroughSystem(transcript)
    const second = await replayThroughSystem(transcript)
    expect(first.problems).toEqual([])
    expect(first.events.length).toBeGreaterThan(0)
    expect(comparableLog(second.events)).toEqual(comparableLog(first.events))
  })
})
