/** @module ingest of the runtime events that are not about a turn's end: sessions, bindings, usage, checkpoints. */
import { describe, expect, it } from 'vitest'
import { deriveId, providerFailure } from '../../contracts/index.ts'
import { given } from '../testing/decider-spec.ts'
import { THREAD, checkpoint, checkpointId, create, dispatch, linked, runId, runtime, turnStarted } from '../testing/steps.ts'

const started = [create(), linked(), dispatch('hello'), turnStarted(1)]
const sessionId = deriveId.providerSession(THREAD, 'codex', 1)
const bound = (nativeConversationHeadRef: string | null = null) =>
  runtime({ type: 'provider-thread.bound', runId: runId(1), provider: 'codex', nativeThreadId: 'native-1', nativeConversationHeadRef })
const providerThreadId = deriveId.providerThread('codex', 'native-1')

describe('ingest', () => {
  it('should drop every event for a thread that does not exist', () =>
    void given().when(runtime({ type: 'workspace.features', checkpoints: 'available' })).thenDropped('does not exist'))

  it.each(['effect.accepted', 'effect.completed'] as const)('should take %s without events', (type) =>
    void given(...started).when(runtime({ type, effectId: 'effect:x:1:0' })).thenNothing())

  it('should record a session of the runner epoch', () =>
    void given(create(), linked())
      .when(runtime({ type: 'session.started', provider: 'codex', model: 'gpt-5.1-codex', at: 77 }))
      .thenEvents({ type: 'provider-session.updated', payload: { id: sessionId, status: 'ready', runnerEpoch: 1, createdAt: 77, updatedAt: 77 } }))

  it.each([
    ['idle_timeout', 'stopped'],
    ['runtime_error', 'error'],
  ] as const)('should release a session on %s', (reason, status) =>
    void given(create(), linked(), runtime({ type: 'session.started', provider: 'codex', model: null }))
      .when(runtime({ type: 'session.released', provider: 'codex', reason, failure: reason === 'runtime_error' ? providerFailure('provider_error', 'crash') : null }))
      .thenEvents({ type: 'provider-session.updated', payload: { id: sessionId, status, releaseReason: reason } }))

  it('should drop the release of an unknown session', () =>
    void given(create(), linked()).when(runtime({ type: 'session.released', provider: 'claude', reason: 'idle_timeout', failure: null })).thenDropped('no such session'))

  it('should bind the provider thread to the run, its attempt and the thread', () =>
    void given(create(), linked(), dispatch('hello'))
      .when(bound('head-1'))
      .thenIncludes(
        { type: 'provider-thread.updated', payload: { id: providerThreadId, appThreadId: THREAD, nativeThreadRef: 'native-1', nativeConversationHeadRef: 'head-1', status: 'active', firstRunOrdinal: 1, lastRunOrdinal: 1 } },
        { type: 'run.updated', payload: { id: runId(1), providerThreadId } },
        { type: 'run-attempt.updated', payload: { providerThreadId } },
        { type: 'thread.updated', payload: { activeProviderThreadId: providerThreadId } },
      ))

  it('should keep the conversation head from the terminal and idle the provider thread', () =>
    void given(create(), linked(), dispatch('hello'), bound(), turnStarted(1))
      .when(runtime({ type: 'turn.completed', runId: runId(1), attemptId: deriveId.attempt(runId(1), 1), nativeTurnId: 'turn-1-1', status: 'completed', failure: null, usage: null, nativeConversationHeadRef: 'head-2' }))
      .thenState(({ state }) => expect(state.providerThreads.get(providerThreadId)).toMatchObject({ nativeConversationHeadRef: 'head-2', status: 'idle' })))

  it('should update the usage of a run', () =>
    void given(...started)
      .when(runtime({ type: 'usage.updated', runId: runId(1), usage: { inputTokens: 5, cachedInputTokens: 1, outputTokens: 2, reasoningTokens: 0, totalTokens: 7 } }))
      .thenEvents({ type: 'run.updated', payload: { usage: expect.objectContaining({ totalTokens: 7 }) } }))

  it('should capture the baseline checkpoint with its scope and no item', () =>
    void given(create())
      .when(checkpoint(0))
      .thenEvents(
        { type: 'checkpoint-scope.created', payload: { id: deriveId.checkpointScope(THREAD), kind: 'root_run' } },
        { type: 'checkpoint.captured', payload: { id: checkpointId(0), appRunOrdinal: 0, status: 'ready', runId: null } },
      ))

  it('should capture a run checkpoint with an item, and keep the item ordinal on a recapture', () =>
    void given(...started, checkpoint(1))
      .when(checkpoint(1, 1, 'ref-again'))
      .thenEvents(
        { type: 'checkpoint.captured', payload: { id: checkpointId(1), ref: 'ref-again' } },
        { type: 'run.updated', payload: { checkpointId: checkpointId(1) } },
        { type: 'turn-item.updated', payload: { ordinal: 2, content: { type: 'checkpoint', checkpointId: checkpointId(1), files: 0 } } },
      ))

  it('should record whether the workspace can checkpoint, once', () => {
    const world = given(create()).world()
    expect(world.apply(runtime({ type: 'workspace.features', checkpoints: 'unavailable' }))).toMatchObject({ events: [{ type: 'thread.updated', payload: { checkpoints: 'unavailable' } }] })
    expect(world.apply(runtime({ type: 'workspace.features', checkpoints: 'unavailable' }))).toMatchObject({ events: [] })
  })
})
