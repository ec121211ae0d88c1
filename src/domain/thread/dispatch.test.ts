/** @module message.dispatch: start, queue behind the active run, or wait for a runner. */
import { describe, expect, it } from 'vitest'
import { deriveId } from '../../contracts/index.ts'
import { given } from '../testing/decider-spec.ts'
import { THREAD, MODEL, attemptId, create, dispatch, linked, rootNodeId, runId } from '../testing/steps.ts'

const userMessage = (n: number) => deriveId.userMessage(runId(n), 1)

describe('message.dispatch with no runner', () => {
  it('should queue the run awaiting a runner, with no effect', () =>
    given(create())
      .when(dispatch('hello', {}, { now: 10, actor: 'user:bob' }))
      .thenIncludes(
        { type: 'message.updated', payload: { id: userMessage(1), role: 'user', text: 'hello', runId: runId(1) } },
        {
          type: 'turn-item.updated',
          payload: { id: deriveId.userItem(userMessage(1)), ordinal: 1, content: expect.objectContaining({ type: 'user_message', inputIntent: 'turn_start' }) },
        },
        { type: 'run.created', payload: { id: runId(1), ordinal: 1, requestedBy: 'user:bob', requestedAt: 10 } },
      )
      .thenEffects()
      .thenState(({ state }) =>
        expect(state.runs.get(runId(1))).toMatchObject({ status: 'queued', queueReason: 'awaiting_runner', queuePosition: 1, activeAttemptId: null }),
      ))

  it('should queue every run awaiting a runner when several wait', () =>
    given(create(), dispatch('one'))
      .when(dispatch('two'))
      .thenEffects()
      .thenState(({ state }) =>
        expect([...state.runs.values()].map((r) => [r.status, r.queueReason, r.queuePosition])).toEqual([
          ['queued', 'awaiting_runner', 1],
          ['queued', 'awaiting_runner', 2],
        ]),
      ))

  it.each([
    ['empty', ''],
    ['blank', '  \n\t '],
  ])('should refuse an %s message with invalid_request', (_name, text) =>
    void given(create(), linked()).when(dispatch(text)).thenRejects('invalid_request'))

  it('should take an empty text with an image', () =>
    given(create(), linked())
      .when(dispatch('', { attachments: [{ type: 'image', mimeType: 'image/png', data: 'AAAA' }] }))
      .thenIncludes({ type: 'run.created' }))
})

describe('runner.linked', () => {
  it('should start the queued run: attempt, root node and a turn.start effect', () =>
    given(create(), dispatch('hello'))
      .when(linked(7))
      .thenEvents(
        { type: 'run-attempt.created', payload: { id: attemptId(1), runId: runId(1), attemptOrdinal: 1, reason: 'initial', status: 'pending', runnerEpoch: 7, messageIds: [userMessage(1)] } },
        { type: 'node.updated', payload: { id: rootNodeId(1), kind: 'root_turn', countsForRun: true, status: 'pending', parentNodeId: null } },
        { type: 'run.updated', payload: { id: runId(1), status: 'starting', activeAttemptId: attemptId(1), rootNodeId: rootNodeId(1), queueReason: null, queuePosition: null, runnerEpoch: 7 } },
      )
      .thenEffects({
        kind: 'turn.start',
        runId: runId(1),
        attemptId: attemptId(1),
        runOrdinal: 1,
        modelSelection: MODEL.codex,
        runtimeMode: 'approval-required',
        interactionMode: 'default',
        message: { messageId: userMessage(1), text: 'hello', attachments: [] },
        providerThread: null,
      }))

  it('should start only the head of the queue', () =>
    given(create(), dispatch('one'), dispatch('two'))
      .when(linked())
      .thenEffects({ kind: 'turn.start', runId: runId(1) })
      .thenState(({ state }) => expect(state.runs.get(runId(2))).toMatchObject({ status: 'queued', queueReason: 'behind_active_run' })))

  it('should do nothing when nothing is queued', () => given(create()).when(linked()).thenNothing())
})

describe('message.dispatch with a runner', () => {
  it('should start the run at once', () =>
    given(create(), linked())
      .when(dispatch('hello'))
      .thenIncludes({ type: 'run.created', payload: { status: 'queued' } }, { type: 'run.updated', payload: { status: 'starting' } })
      .thenEffects({ kind: 'turn.start', runId: runId(1) }))

  it('should use the model of the message over the thread', () =>
    given(create(), linked())
      .when(dispatch('hello', { modelSelection: MODEL.claude }))
      .thenIncludes({ type: 'run.created', payload: { provider: 'claude', modelSelection: MODEL.claude } })
      .thenEffects({ kind: 'turn.start', modelSelection: MODEL.claude }))

  it.each(['start_immediately', 'queue_after_active'] as const)('should queue %s behind an active run, with no effect', (type) =>
    void given(create(), linked(), dispatch('one'))
      .when(dispatch('two', { dispatchMode: { type } }))
      .thenIncludes({ type: 'turn-item.updated', payload: { content: expect.objectContaining({ inputIntent: 'queued_turn' }) } })
      .thenEffects()
      .thenState(({ state }) => expect(state.runs.get(runId(2))).toMatchObject({ status: 'queued', queueReason: 'behind_active_run', queuePosition: 1 })))

  it('should keep the thread id in every derived id', () =>
    given(create(), linked())
      .when(dispatch('hello'))
      .thenState(({ state }) => expect([...state.runs.keys()]).toEqual([deriveId.run(THREAD, 1)])))
})

describe('message.dispatch with a messageId', () => {
  it('should refuse a messageId the thread already has, leaving the first message as it was', () =>
    given(create(), dispatch('first', { messageId: 'm-1' as never }))
      .when(dispatch('second', { messageId: 'm-1' as never }))
      .thenRejects('invalid_request'))
})
