/** @module The decider is a function: same inputs, same events and effects; fold(log) is the live state. */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ThreadWorld, type Step } from '../testing/decider-spec.ts'
import {
  checkpoint,
  checkpointId,
  command,
  create,
  dispatch,
  interrupt,
  item,
  linked,
  lost,
  requestOpened,
  respond,
  runId,
  runtime,
  say,
  system,
  turnCompleted,
  turnStarted,
} from '../testing/steps.ts'
import { fold } from './state.ts'
import { toProjection, toShell } from './projection.ts'

/** A transcript that touches most of the decider: queue, steer, restart, approvals, loss, rollback, fork. */
const transcript = (): Step[] => [
  create(),
  dispatch('waiting for a runner', {}, { now: 1 }),
  linked(1),
  runtime({ type: 'session.started', provider: 'codex', model: 'gpt-5.1-codex' }),
  checkpoint(0),
  runtime({ type: 'provider-thread.bound', runId: runId(1), provider: 'codex', nativeThreadId: 'native-1', nativeConversationHeadRef: null }),
  turnStarted(1),
  dispatch('queued', {}, { now: 2 }),
  dispatch('steer', { dispatchMode: { type: 'steer_active', targetRunId: runId(1) } }, { now: 3 }),
  item(1, 'msg-1', { type: 'assistant_message', text: 'wor' }, { status: 'running' }),
  requestOpened(1, 'req-1', {}, { now: 4, requestExpiryMs: 1_000 }),
  respond('req-1', { decision: 'acceptForSession' }, { now: 5 }),
  item(1, 'todo', { type: 'todo_list', steps: [{ id: 's1', text: 'do it', status: 'running' }], explanation: null }),
  runtime({ type: 'subagent.updated', runId: runId(1), nativeTaskId: 't', parentNativeItemId: null, status: 'completed', prompt: 'p', title: null, model: null, result: 'r', nativeThreadId: null }),
  say(1, 'msg-1', 'working'),
  turnCompleted(1, { usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0, totalTokens: 2 } }),
  checkpoint(1),
  turnStarted(2),
  dispatch('redo', { dispatchMode: { type: 'restart_active', targetRunId: runId(2) } }, { now: 6 }),
  turnCompleted(2, { status: 'interrupted' }),
  turnStarted(2, 2),
  requestOpened(2, 'req-2', {}, { now: 7, requestExpiryMs: 10 }),
  system({ type: 'requests.expire' }, { now: 100 }),
  turnCompleted(2, { attempt: 2 }),
  checkpoint(2),
  dispatch('third', {}, { now: 8 }),
  interrupt(3, { now: 9 }),
  lost(1, 'process_exited'),
  system({ type: 'idle.release' }, { now: 10 }),
  command({ type: 'checkpoint.rollback', checkpointId: checkpointId(1) }, { now: 11 }),
  command({ type: 'thread.fork', targetThreadId: 'thread-2', sourcePoint: { type: 'latest_stable' } }, { now: 12 }),
]

const play = (steps: Step[]) => {
  const world = new ThreadWorld()
  for (const step of steps) world.must(step)
  return world
}

describe('determinism', () => {
  afterEach(() => vi.restoreAllMocks())

  it('should produce identical events and effects from the same inputs', () => {
    const a = play(transcript())
    const b = play(transcript())
    expect(a.log.length).toBeGreaterThan(80)
    expect(JSON.stringify(b.log)).toBe(JSON.stringify(a.log))
    expect(JSON.stringify(b.outbox)).toBe(JSON.stringify(a.outbox))
  })

  it('should read no clock and no randomness', () => {
    const refuse = () => {
      throw new Error('the decider must not read the clock or randomness')
    }
    vi.spyOn(Date, 'now').mockImplementation(refuse)
    vi.spyOn(Math, 'random').mockImplementation(refuse)
    vi.spyOn(crypto, 'randomUUID').mockImplementation(refuse)
    expect(() => play(transcript())).not.toThrow()
  })
})

describe('fold', () => {
  it('should rebuild the incremental state from the log after every step', () => {
    const world = new ThreadWorld()
    for (const step of transcript()) {
      world.must(step)
      expect(fold(world.log)).toEqual(world.state)
    }
  })

  it('should give the same projection and shell as the live state', () => {
    const world = play(transcript())
    const rebuilt = fold(world.log)
    expect(toProjection(rebuilt, world.sequence)).toEqual(toProjection(world.state, world.sequence))
    expect(toShell(rebuilt, world.sequence)).toEqual(toShell(world.state, world.sequence))
  })

  it('should allocate every item ordinal once', () => {
    const { state } = play(transcript())
    const ordinals = [...state.turnItems.values()].map((i) => i.ordinal)
    expect(new Set(ordinals).size).toBe(ordinals.length)
    expect(state.itemOrdinal).toBe(Math.max(...ordinals))
  })
})
