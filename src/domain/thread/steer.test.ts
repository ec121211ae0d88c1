/** @module Steering the active run: natively, or by interrupt and restart in a new attempt. */
import { describe, expect, it } from 'vitest'
import { CAPABILITIES, deriveId, type ProviderKind } from '../../contracts/index.ts'
import { given } from '../testing/decider-spec.ts'
import { attemptId, create, dispatch, linked, nativeTurn, requestId, requestOpened, rootNodeId, runId, turnCompleted, turnStarted } from '../testing/steps.ts'

const startedOn = (provider: 'codex' | 'claude') => [create({ provider }), linked(), dispatch('hello'), turnStarted(1)]
const started = startedOn('codex')
const steer = (text: string, n = 1) => dispatch(text, { dispatchMode: { type: 'steer_active', targetRunId: runId(n) } })
const restart = (text: string, n = 1) => dispatch(text, { dispatchMode: { type: 'restart_active', targetRunId: runId(n) } })
const steerMessage = deriveId.userMessage(runId(1), 2)

describe('steer_active', () => {
  it.each(['codex', 'claude'] as const)('%s steers natively: the message joins the attempt and a turn.steer goes out', (provider) =>
    void given(...startedOn(provider))
      .when(steer('also check the tests'))
      .thenIncludes(
        { type: 'message.updated', payload: { id: steerMessage, runId: runId(1), text: 'also check the tests' } },
        { type: 'turn-item.updated', payload: { content: expect.objectContaining({ type: 'user_message', inputIntent: 'steer' }) } },
        { type: 'run-attempt.updated', payload: { id: attemptId(1), messageIds: [deriveId.userMessage(runId(1), 1), steerMessage] } },
      )
      .thenEffects({
        kind: 'turn.steer',
        runId: runId(1),
        attemptId: attemptId(1),
        nativeTurnRef: nativeTurn(1),
        message: { messageId: steerMessage, text: 'also check the tests', attachments: [] },
      }))

  it.each([
    ['no run is active', [create(), linked()], 1, 'run_not_active'],
    ['the target is queued, not active', [...started, dispatch('queued')], 2, 'run_not_active'],
    ['the target has ended', [...started, turnCompleted(1)], 1, 'run_not_active'],
    ['the run is already restarting', [...started, restart('redo')], 1, 'run_active'],
  ] as const)('should refuse when %s', (_name, history, target, code) => void given(...history).when(steer('more', target)).thenRejects(code))
})

describe('restart_active', () => {
  it('should mark the restart pending and interrupt the current attempt', () =>
    given(...started)
      .when(restart('start over'))
      .thenIncludes(
        { type: 'turn-item.updated', payload: { content: expect.objectContaining({ inputIntent: 'restart' }) } },
        { type: 'run.updated', payload: { id: runId(1), status: 'running', pendingRestart: { messageId: steerMessage, reason: 'steering_restart' } } },
      )
      .thenEffects({ kind: 'turn.interrupt', runId: runId(1), attemptId: attemptId(1), nativeTurnRef: nativeTurn(1) }))

  it('should start a new attempt of the same run on the terminal', () =>
    given(...started, restart('start over'))
      .when(turnCompleted(1, { status: 'interrupted' }))
      .thenIncludes(
        { type: 'run-attempt.updated', payload: { id: attemptId(1), status: 'interrupted' } },
        { type: 'node.updated', payload: { id: rootNodeId(1), status: 'interrupted' } },
        { type: 'run-attempt.created', payload: { id: attemptId(1, 2), attemptOrdinal: 2, reason: 'steering_restart', rootNodeId: rootNodeId(1, 2), messageIds: [steerMessage] } },
      )
      .thenEffects({ kind: 'turn.start', runId: runId(1), attemptId: attemptId(1, 2), runOrdinal: 1, message: { messageId: steerMessage, text: 'start over' } })
      .thenState(({ state }) => {
        expect(rootNodeId(1, 2)).toBe(`node:${encodeURIComponent(runId(1))}:attempt:2:root`)
        expect(state.runs.size).toBe(1)
        expect(state.runs.get(runId(1))).toMatchObject({ status: 'starting', activeAttemptId: attemptId(1, 2), rootNodeId: rootNodeId(1, 2), pendingRestart: null, completedAt: null })
      }))

  it('should end the run on the new attempt root terminal', () =>
    given(...started, restart('start over'), turnCompleted(1, { status: 'interrupted' }), turnStarted(1, 2))
      .when(turnCompleted(1, { attempt: 2 }))
      .thenState(({ state }) => {
        expect(state.runs.get(runId(1))?.status).toBe('completed')
        expect(state.attempts.get(attemptId(1, 2))?.status).toBe('completed')
        expect(state.nodes.get(rootNodeId(1, 2))?.status).toBe('completed')
      }))

  it('should close what the old attempt left open, so its request cannot be answered', () =>
    given(...started, requestOpened(1, 'req-1'), restart('start over'))
      .when(turnCompleted(1, { status: 'interrupted' }))
      .thenState(({ state }) => {
        expect(state.runtimeRequests.get(requestId('req-1'))).toMatchObject({ status: 'cancelled', responseCapability: { type: 'not_resumable' } })
        expect(state.turnItems.get(deriveId.requestItem(requestId('req-1')))?.status).toBe('interrupted')
        expect(state.runs.get(runId(1))?.status).toBe('starting')
      }))

  it('should restart on Claude too, by interrupt and a new attempt', () =>
    given(...startedOn('claude'))
      .when(restart('start over'))
      .thenEffects({ kind: 'turn.interrupt', runId: runId(1), attemptId: attemptId(1) }))

  it('should refuse with capability_unsupported when the provider cannot interrupt and restart', () => {
    const withoutRestart = (p: ProviderKind) => ({ ...CAPABILITIES[p], turns: { ...CAPABILITIES[p].turns, supportsSteeringByInterruptRestart: false } })
    const { outcome } = given(...started)
      .when({ ...restart('start over'), ctx: { capabilities: withoutRestart } })
      .thenRejects('capability_unsupported')
    expect(outcome).toMatchObject({ ok: false, error: { details: { capability: 'turns.supportsSteeringByInterruptRestart' } } })
  })
})
