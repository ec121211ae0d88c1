/** @module How a run goes from starting to its end, and which terminal events may end it. */
import { describe, expect, it } from 'vitest'
import { deriveId, providerFailure } from '../../contracts/index.ts'
import { given } from '../testing/decider-spec.ts'
import {
  attemptId,
  create,
  dispatch,
  item,
  linked,
  nativeTurn,
  rootNodeId,
  runId,
  runtime,
  say,
  turnCompleted,
  turnStarted,
} from '../testing/steps.ts'

const started = [create(), linked(), dispatch('hello'), turnStarted(1)]

describe('turn.started', () => {
  it('should move the run to running, with a provider turn on the root node', () =>
    given(create(), linked(), dispatch('hello'))
      .when(turnStarted(1))
      .thenEvents(
        { type: 'provider-turn.updated', payload: { id: deriveId.providerTurn('codex', nativeTurn(1)), nodeId: rootNodeId(1), runAttemptId: attemptId(1), status: 'running', ordinal: 1 } },
        { type: 'run-attempt.updated', payload: { id: attemptId(1), status: 'running', providerTurnId: deriveId.providerTurn('codex', nativeTurn(1)) } },
        { type: 'node.updated', payload: { id: rootNodeId(1), status: 'running' } },
        { type: 'run.updated', payload: { id: runId(1), status: 'running' } },
      ))

  it('should drop a start for an attempt that is not active', () =>
    given(...started, turnCompleted(1)).when(turnStarted(1)).thenDropped('not active'))
})

describe('the end of a run', () => {
  it.each(['completed', 'failed', 'interrupted', 'cancelled'] as const)('a root terminal %s ends the run, its attempt and root node', (status) =>
    void given(...started)
      .when(turnCompleted(1, { status, usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 2, reasoningTokens: 0, totalTokens: 3 } }, ))
      .thenState(({ state }) => {
        expect(state.runs.get(runId(1))).toMatchObject({ status, completedAt: 1_000, usage: { totalTokens: 3 } })
        expect(state.attempts.get(attemptId(1))).toMatchObject({ status })
        expect(state.nodes.get(rootNodeId(1))).toMatchObject({ status })
        expect(state.providerTurns.get(deriveId.providerTurn('codex', nativeTurn(1)))).toMatchObject({ status })
      }))

  it('should record a failure as a run failure and an error item', () =>
    given(...started)
      .when(turnCompleted(1, { status: 'failed', failure: providerFailure('provider_error', 'boom') }))
      .thenIncludes({ type: 'turn-item.updated', payload: { status: 'failed', content: { type: 'error', failure: providerFailure('provider_error', 'boom') } } })
      .thenState(({ state }) => expect(state.runs.get(runId(1))?.failure).toMatchObject({ message: 'boom' })))

  it('should close what is still open under the run', () =>
    given(...started, item(1, 'cmd-1', { type: 'command_execution', command: 'ls', cwd: null, output: null, exitCode: null }, { status: 'running' }), item(1, 'msg-1', { type: 'assistant_message', text: 'par' }, { status: 'running' }))
      .when(turnCompleted(1, { status: 'interrupted' }))
      .thenState(({ state }) => {
        expect(state.nodes.get(deriveId.itemNode('codex', 'cmd-1'))?.status).toBe('interrupted')
        expect(state.turnItems.get(deriveId.item('codex', 'msg-1'))).toMatchObject({ status: 'interrupted', content: { streaming: false } })
        expect(state.messages.get(deriveId.itemMessage('codex', 'msg-1'))?.streaming).toBe(false)
      }))

  it.each([
    ['a child turn terminal', turnCompleted(1, { nativeTurnId: 'child-turn' }), 'child turn'],
    ['a terminal of an unknown attempt', turnCompleted(1, { attempt: 9 }), 'unknown'],
  ])('should drop %s and keep the run running', (_name, step, reason) =>
    void given(...started)
      .when(step)
      .thenDropped(reason)
      .thenState(({ state }) => expect(state.runs.get(runId(1))?.status).toBe('running')))

  it('should drop a terminal that arrives after the run ended', () =>
    given(...started, turnCompleted(1)).when(turnCompleted(1, { status: 'failed' })).thenDropped('already completed'))

  it('should drop the terminal of a superseded attempt', () =>
    given(
      ...started,
      dispatch('change of plan', { dispatchMode: { type: 'restart_active', targetRunId: runId(1) } }),
      turnCompleted(1, { status: 'interrupted' }),
      turnStarted(1, 2),
    )
      .when(turnCompleted(1, { attempt: 1, status: 'completed' }))
      .thenDropped('superseded')
      .thenState(({ state }) => expect(state.runs.get(runId(1))).toMatchObject({ status: 'running', activeAttemptId: attemptId(1, 2) })))

  it('should start the next queued run when a run ends', () =>
    given(...started, dispatch('second'), dispatch('third'))
      .when(turnCompleted(1))
      .thenEffects({ kind: 'turn.start', runId: runId(2), attemptId: attemptId(2), message: { text: 'second' } })
      .thenState(({ state }) => {
        expect(state.runs.get(runId(2))).toMatchObject({ status: 'starting', queueReason: null, queuePosition: null })
        expect(state.runs.get(runId(3))).toMatchObject({ status: 'queued', queueReason: 'behind_active_run' })
      }))

  it('should leave an ended run idle with no effect when nothing is queued', () =>
    given(...started)
      .when(turnCompleted(1))
      .thenEffects())
})

describe('effect.failed', () => {
  const failure = providerFailure('transport_error', 'spawn failed')

  it('should fail the run whose turn.start failed, and start the next', () => {
    const world = given(create(), linked(), dispatch('one'), dispatch('two')).world()
    const effectId = world.lastEffect('turn.start').effectId
    const outcome = world.apply(runtime({ type: 'effect.failed', effectId, failure }))
    expect(outcome.ok).toBe(true)
    expect(world.state.runs.get(runId(1))).toMatchObject({ status: 'failed', failure })
    expect(world.lastEffect('turn.start').body.runId).toBe(runId(2))
  })

  it('should drop a failure for an unknown effect', () =>
    given(...started).when(runtime({ type: 'effect.failed', effectId: 'effect:nope:1:0', failure })).thenDropped('unknown effect'))

  it('should drop a failed start of a run that already ended', () => {
    const world = given(...started, turnCompleted(1)).world()
    const outcome = world.apply(runtime({ type: 'effect.failed', effectId: world.lastEffect('turn.start').effectId, failure }))
    expect(outcome).toMatchObject({ ok: true, events: [], dropped: 'run no longer waits for this start' })
  })
})

describe('subagents', () => {
  const subagent = (status: 'running' | 'completed' | 'failed') =>
    runtime({
      type: 'subagent.updated',
      runId: runId(1),
      nativeTaskId: 'task-1',
      parentNativeItemId: null,
      status,
      prompt: 'look around',
      title: null,
      model: null,
      result: status === 'running' ? null : 'done',
      nativeThreadId: 'child-thread',
    })

  it.each(['running', 'completed', 'failed'] as const)('a subagent %s never ends the parent run', (status) =>
    void given(...started)
      .when(subagent(status))
      .thenIncludes(
        { type: 'subagent.updated', payload: { status, parentNodeId: rootNodeId(1) } },
        { type: 'node.updated', payload: { kind: 'subagent', countsForRun: false } },
        { type: 'turn-item.updated', payload: { content: expect.objectContaining({ type: 'subagent' }) } },
      )
      .thenEffects()
      .thenState(({ state, events }) => {
        expect(events.some((e) => e.type === 'run.updated')).toBe(false)
        expect(state.runs.get(runId(1))?.status).toBe('running')
      }))

  it('a child turn terminal after a subagent does not end the parent run', () =>
    given(...started, subagent('completed'))
      .when(turnCompleted(1, { nativeTurnId: 'child-thread-turn' }))
      .thenDropped('child turn'))
})

describe('items', () => {
  it('should keep an item of an unknown kind as a generic item', () =>
    given(...started)
      .when(item(1, 'x-1', { type: 'generic', nativeType: 'hookStarted', summary: 'a hook ran' }))
      .thenEvents(
        { type: 'node.updated', payload: { kind: 'system', status: 'completed', parentNodeId: rootNodeId(1) } },
        { type: 'turn-item.updated', payload: { id: deriveId.item('codex', 'x-1'), content: { type: 'generic', nativeType: 'hookStarted', summary: 'a hook ran' } } },
      ))

  it('should update an item in place, keeping its ordinal', () =>
    given(...started, item(1, 'msg-1', { type: 'assistant_message', text: 'Hel' }, { status: 'running' }))
      .when(say(1, 'msg-1', 'Hello'))
      .thenIncludes({ type: 'turn-item.updated', payload: { ordinal: 2, status: 'completed', content: expect.objectContaining({ text: 'Hello', streaming: false }) } }))

  it('should drop an item of an unknown run', () =>
    given(...started).when(say(9, 'msg-9', 'hi')).thenDropped('unknown run'))
})
