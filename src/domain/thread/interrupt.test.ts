/** @module run.interrupt: ask the provider to stop; only its terminal ends the run. */
import { describe, expect, it } from 'vitest'
import { deriveId } from '../../contracts/index.ts'
import { given } from '../testing/decider-spec.ts'
import { attemptId, create, dispatch, interrupt, linked, nativeTurn, rootNodeId, runId, turnCompleted, turnStarted } from '../testing/steps.ts'

const started = [create(), linked(), dispatch('hello'), turnStarted(1)]
const requestItem = deriveId.signalItem(runId(1), 'interrupt-request', 1)
const resultItem = deriveId.signalItem(runId(1), 'interrupt-result', 1)

describe('run.interrupt of the active run', () => {
  it('should record the request and send turn.interrupt, but not end the run', () =>
    given(...started)
      .when(interrupt(1, { now: 50, actor: 'user:bob' }))
      .thenEvents(
        { type: 'run.updated', payload: { id: runId(1), status: 'running', interruptRequestedAt: 50, interruptRequestedBy: 'user:bob' } },
        { type: 'turn-item.updated', payload: { id: requestItem, runId: runId(1), nodeId: rootNodeId(1), content: { type: 'run_interrupt_request', message: 'Stop requested by user:bob' } } },
      )
      .thenEffects({ kind: 'turn.interrupt', runId: runId(1), attemptId: attemptId(1), nativeTurnRef: nativeTurn(1) }))

  it('should interrupt a run that has not started its turn yet', () =>
    given(create(), linked(), dispatch('hello'))
      .when(interrupt(1))
      .thenEffects({ kind: 'turn.interrupt', runId: runId(1), attemptId: attemptId(1), nativeTurnRef: null }))

  it('should treat a second interrupt as a no-op', () => given(...started, interrupt(1)).when(interrupt(1)).thenNothing())

  it('should add the interrupt result when the terminal arrives', () =>
    given(...started, interrupt(1))
      .when(turnCompleted(1, { status: 'interrupted' }))
      .thenIncludes({ type: 'turn-item.updated', payload: { id: resultItem, parentItemId: requestItem, status: 'interrupted', content: { type: 'run_interrupt_result', message: 'Run interrupted' } } })
      .thenState(({ state }) => {
        expect(state.runs.get(runId(1))?.status).toBe('interrupted')
        const kinds = [...state.turnItems.values()].sort((a, b) => a.ordinal - b.ordinal).map((i) => i.content.type)
        expect(kinds).toEqual(['user_message', 'run_interrupt_request', 'run_interrupt_result'])
      }))

  it('should cancel a pending restart: the stop wins', () =>
    given(...started, dispatch('redo', { dispatchMode: { type: 'restart_active', targetRunId: runId(1) } }), interrupt(1))
      .when(turnCompleted(1, { status: 'interrupted' }))
      .thenEffects()
      .thenState(({ state }) => expect(state.runs.get(runId(1))).toMatchObject({ status: 'interrupted', pendingRestart: null })))
})

describe('run.interrupt of other runs', () => {
  it('should cancel a queued run without touching the active one', () =>
    given(...started, dispatch('second'))
      .when(interrupt(2, { now: 60 }))
      .thenEvents({ type: 'run.updated', payload: { id: runId(2), status: 'cancelled', completedAt: 60, queuePosition: null, queueReason: null } })
      .thenEffects())

  it('should cancel a run that waits for a runner', () =>
    given(create(), dispatch('hello'))
      .when(interrupt(1))
      .thenEvents({ type: 'run.updated', payload: { status: 'cancelled' } })
      .thenState(({ world }) => expect(world.apply(linked()).ok && world.outbox).toEqual([])))

  it('should refuse an ended run with run_not_active', () => given(...started, turnCompleted(1)).when(interrupt(1)).thenRejects('run_not_active'))

  it('should refuse an unknown run with run_not_found', () => given(...started).when(interrupt(4)).thenRejects('run_not_found'))
})
