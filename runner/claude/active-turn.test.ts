/** @module When an SDK result ends a Loom run: steering spans two results, an interrupt ends at the next. */
import { describe, expect, it } from 'vitest'
import type { RunAttemptId, RunId } from '../../src/contracts/index.ts'
import { ActiveTurn } from './active-turn.ts'
import { claudePolicy } from './policy.ts'
import { claudeTranscript, inboundFrames } from './testing.ts'
import { consumedUuids } from './result.ts'

const turn = () => new ActiveTurn('run-1' as RunId, 'run-1:1' as RunAttemptId, claudePolicy('approval-required', 'default'))
const usage = { inputTokens: 1, cachedInputTokens: 0, outputTokens: 2, reasoningTokens: 0, totalTokens: 3 }

describe('ActiveTurn.settle', () => {
  it('has a weak synthetic native turn id', () => {
    expect(turn().nativeTurnId).toBe('turn:run-1:1')
  })

  it('ends at the result that answers the prompt', () => {
    const t = turn()
    t.pushed('u1', false)
    expect(t.settle(['u1'], usage)).toBe(true)
    expect(t.usage).toEqual(usage)
  })

  it('keeps a steered run open through the aborted result and sums usage over both', () => {
    const t = turn()
    t.pushed('u1', false)
    t.pushed('u2', true)
    expect(t.settle(['u1'], usage)).toBe(false)
    expect(t.settle(['u2'], usage)).toBe(true)
    expect(t.usage?.totalTokens).toBe(6)
  })

  it('ends at once when the CLI merged the steer into the same turn', () => {
    const t = turn()
    t.pushed('u1', false)
    t.pushed('u2', true)
    expect(t.settle(['u1', 'u2'], null)).toBe(true)
  })

  it('ends at the next result after an interrupt', () => {
    const t = turn()
    t.pushed('u1', false)
    t.pushed('u2', true)
    t.interruptRequested = true
    expect(t.settle(['u1'], null)).toBe(true)
  })

  it('counts one extra result per steer when results carry no uuids (older CLIs)', () => {
    const t = turn()
    t.pushed('u1', false)
    t.pushed('u2', true)
    expect(t.settle(null, null)).toBe(false)
    expect(t.settle(null, null)).toBe(true)
  })

  it('ends the recorded message_steering run only at its second result', () => {
    const results = inboundFrames(claudeTranscript('message_steering')).filter((f) => f.type === 'result')
    expect(results).toHaveLength(2)
    const t = turn()
    t.pushed('u1', false)
    t.pushed('u2', true)
    expect(results.map((r) => t.settle(consumedUuids(r), null))).toEqual([false, true])
  })
})
