/** @module Runner presence and idle release: runner.linked/lost and idle.release. */
import { describe, expect, it } from 'vitest'
import { deriveId } from '../../contracts/index.ts'
import { given } from '../testing/decider-spec.ts'
import {
  THREAD,
  attemptId,
  completedRun,
  create,
  dispatch,
  interrupt,
  linked,
  lost,
  requestId,
  requestOpened,
  rootNodeId,
  runId,
  runtime,
  system,
  turnCompleted,
  turnStarted,
} from '../testing/steps.ts'

const session = runtime({ type: 'session.started', provider: 'codex', model: 'gpt-5.1-codex' })
const started = [create(), linked(), session, dispatch('hello'), turnStarted(1)]

describe('runner.lost', () => {
  it.each(['lease_expired', 'fenced', 'process_exited'] as const)('after %s ends the run, attempt and root as interrupted with runner_lost', (reason) =>
    void given(...started, requestOpened(1, 'req-1'))
      .when(lost(1, reason))
      .thenEffects()
      .thenState(({ state }) => {
        expect(state.runs.get(runId(1))).toMatchObject({ status: 'interrupted', failure: { class: 'runner_lost', retryable: true } })
        expect(state.attempts.get(attemptId(1))?.status).toBe('interrupted')
        expect(state.nodes.get(rootNodeId(1))?.status).toBe('interrupted')
        expect(state.runtimeRequests.get(requestId('req-1'))).toMatchObject({ status: 'expired', responseCapability: { type: 'not_resumable', reason: 'runner_lost' } })
        expect(state.turnItems.get(deriveId.requestItem(requestId('req-1')))?.status).toBe('interrupted')
        expect(state.providerSessions.get(deriveId.providerSession(THREAD, 'codex', 1))).toMatchObject({ status: 'stopped', releaseReason: 'runner_lost' })
      }))

  it('should leave the next queued run waiting for a runner, not start it', () =>
    given(...started, dispatch('second'))
      .when(lost(1))
      .thenEffects()
      .thenState(({ state }) => expect(state.runs.get(runId(2))).toMatchObject({ status: 'queued', queueReason: 'awaiting_runner' })))

  it('should start the waiting run when a new runner links', () =>
    given(...started, dispatch('second'), lost(1, 'fenced'))
      .when(linked(2))
      .thenEffects({ kind: 'turn.start', runId: runId(2), attemptId: attemptId(2) })
      .thenState(({ state }) => expect(state.attempts.get(attemptId(2))?.runnerEpoch).toBe(2)))

  it('should not touch a run served by another epoch', () =>
    given(...started).when(lost(5)).thenNothing())

  it('should not label the loss as an interrupt result without a stop request', () =>
    given(...started)
      .when(lost(1))
      .thenState(({ state }) => expect([...state.turnItems.values()].map((i) => i.content.type)).toEqual(['user_message'])))

  it('should answer a stop that was on its way with the interrupt result', () =>
    given(...started, interrupt(1))
      .when(lost(1))
      .thenIncludes({ type: 'turn-item.updated', payload: { content: { type: 'run_interrupt_result', message: 'The runner stopped answering within its lease' } } }))

  it('should drop the late terminal of the lost runner', () =>
    given(...started, lost(1)).when(turnCompleted(1)).thenDropped('already interrupted'))
})

describe('idle.release', () => {
  it('should close live sessions when nothing runs', () =>
    given(create(), linked(), session, ...completedRun(1))
      .when(system({ type: 'idle.release' }, { now: 9_000 }))
      .thenEvents({ type: 'provider-session.updated', payload: { status: 'stopped', releaseReason: 'idle_timeout', updatedAt: 9_000 } })
      .thenEffects({ kind: 'session.close', provider: 'codex', reason: 'idle_timeout' }))

  it.each([
    ['a run is active', [...started]],
    ['a request is pending', [...started, requestOpened(1, 'req-1')]],
  ])('should do nothing while %s', (_name, history) => void given(...history).when(system({ type: 'idle.release' })).thenNothing())

  it('should do nothing when every session is already stopped', () =>
    given(create(), linked(), session, ...completedRun(1), system({ type: 'idle.release' })).when(system({ type: 'idle.release' })).thenNothing())

  it('should resume the provider thread on the next run', () =>
    given(
      create(),
      linked(),
      session,
      dispatch('one'),
      runtime({ type: 'provider-thread.bound', runId: runId(1), provider: 'codex', nativeThreadId: 'native-1', nativeConversationHeadRef: null }),
      turnStarted(1),
      turnCompleted(1),
      system({ type: 'idle.release' }),
    )
      .when(dispatch('two'))
      .thenEffects({ kind: 'turn.start', runId: runId(2), providerThread: { id: deriveId.providerThread('codex', 'native-1'), nativeThreadRef: 'native-1' } }))

  it('should refuse a system command for a missing thread', () => given().when(system({ type: 'idle.release' })).thenRejects('thread_not_found'))
})
