/**
 * The invariant checks (scripts/replay/invariants.ts) on a real replayed thread, then on copies
 * broken one way each: a sequence gap, an orphan item, an orphan node, a pending request.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import type { StoredEvent, ThreadProjection } from '../../src/contracts/index.ts'
import { replayThroughSystem, type SystemReplayResult } from '../../scripts/replay/harness.ts'
import { invariantViolations } from '../../scripts/replay/invariants.ts'
import { corpusTranscript } from './support/corpus.ts'

let sound: SystemReplayResult
const copy = (): ThreadProjection => structuredClone(sound.projection)

beforeAll(async () => {
  sound = await replayThroughSystem(corpusTranscript('simple', 'codex'))
})

describe('projection invariants', () => {
  it('hold for a replayed thread', () => {
    expect(invariantViolations(sound.events, sound.projection)).toEqual([])
  })

  it('catch a sequence gap and a duplicate delivery', () => {
    const gap: StoredEvent[] = sound.events.filter((e) => e.sequence !== 3)
    expect(invariantViolations(gap, sound.projection)).toEqual([`sequences are not exactly 1..${gap.length}: position 3 holds 4`])
    const twice = [...sound.events.slice(0, 2), sound.events[1]!]
    expect(invariantViolations(twice, sound.projection).join('\n')).toContain('delivered twice')
  })

  it('catch an orphan item and an orphan node', () => {
    const p = copy()
    p.turnItems[0]!.runId = 'run:thread-replay:9' as never
    p.nodes[0]!.parentNodeId = 'node:missing' as never
    const found = invariantViolations(sound.events, p)
    expect(found).toContain(`orphan item ${p.turnItems[0]!.id}: run run:thread-replay:9 does not exist`)
    expect(found).toContain(`orphan node ${p.nodes[0]!.id}: parent node:missing does not exist`)
  })

  it('catch a runtime request neither resolved nor expired, and a run not terminal', () => {
    const p = copy()
    p.runs[0]!.status = 'waiting'
    const found = invariantViolations(sound.events, p)
    expect(found).toContain(`run 1 (${p.runs[0]!.id}) is left waiting after the transcript ended`)
    const request = { id: 'request:pending', runId: p.runs[0]!.id, kind: 'command', status: 'pending' }
    p.runtimeRequests.push(request as unknown as ThreadProjection['runtimeRequests'][number])
    expect(invariantViolations(sound.events, p)).toContain('runtime request request:pending (command) is pending: neither resolved nor expired')
  })
})
