/** @module Runtime requests: approvals and questions, answered once while live, or expired. */
import { describe, expect, it } from 'vitest'
import { deriveId } from '../../contracts/index.ts'
import { given } from '../testing/decider-spec.ts'
import { create, dispatch, linked, requestId, requestOpened, respond, runId, runtime, system, turnCompleted, turnStarted } from '../testing/steps.ts'

const started = [create(), linked(), dispatch('hello'), turnStarted(1)]
const approval = [...started, requestOpened(1, 'req-1', {}, { now: 2_000 })]
const question = [
  ...started,
  requestOpened(1, 'q-1', {
    kind: 'user_input',
    prompt: null,
    questions: [{ id: 'color', header: null, question: 'Which color?', options: [], allowsFreeText: true }],
    availableDecisions: ['cancel'],
  }),
]
const id = requestId('req-1')

describe('request.opened', () => {
  it('should open a live request with its node and item, and move the run to waiting', () =>
    given(...started)
      .when(requestOpened(1, 'req-1', {}, { now: 2_000, requestExpiryMs: 60_000 }))
      .thenEvents(
        { type: 'node.updated', payload: { id: deriveId.requestNode(id), kind: 'approval_request', status: 'waiting', countsForRun: false, runtimeRequestId: id } },
        { type: 'runtime-request.updated', payload: { id, status: 'pending', responseCapability: { type: 'live', runnerEpoch: 1 }, expiresAt: 62_000, kind: 'command' } },
        { type: 'turn-item.updated', payload: { id: deriveId.requestItem(id), status: 'waiting', content: { type: 'approval_request', requestId: id, requestKind: 'command', prompt: 'run `ls`?' } } },
        { type: 'run.updated', payload: { id: runId(1), status: 'waiting' } },
      ))

  it('should drop a request for a run that is not active', () => given(...started, turnCompleted(1)).when(requestOpened(1, 'req-1')).thenDropped('not active'))

  it('should drop a request opened twice', () => given(...approval).when(requestOpened(1, 'req-1')).thenDropped('already open'))
})

describe('runtime-request.respond', () => {
  it('should resolve the request, record who answered, resume the run and answer the provider', () =>
    given(...approval)
      .when(respond('req-1', { decision: 'accept' }, { now: 3_000, actor: 'user:bob' }))
      .thenIncludes(
        { type: 'runtime-request.updated', payload: { id, status: 'resolved', response: { decision: 'accept', answers: null, by: 'user:bob', at: 3_000 }, resolvedAt: 3_000 } },
        { type: 'node.updated', payload: { id: deriveId.requestNode(id), status: 'completed' } },
        { type: 'turn-item.updated', payload: { id: deriveId.requestItem(id), status: 'completed' } },
        { type: 'run.updated', payload: { status: 'running' } },
      )
      .thenEffects({ kind: 'request.respond', requestId: id, nativeRequestRef: 'req-1', decision: 'accept', answers: null }))

  it('should keep the run waiting while another request is pending', () =>
    given(...approval, requestOpened(1, 'req-2'))
      .when(respond('req-1'))
      .thenState(({ state }) => expect(state.runs.get(runId(1))?.status).toBe('waiting')))

  it('should take answers to a question', () =>
    given(...question)
      .when(respond('q-1', { answers: { color: ['blue'] } }))
      .thenEffects({ kind: 'request.respond', requestId: requestId('q-1'), decision: null, answers: { color: ['blue'] } }))

  it.each([
    ['an unknown request', approval, respond('nope'), 'request_not_found'],
    ['an answered request', [...approval, respond('req-1')], respond('req-1'), 'request_not_pending'],
    ['a request closed by the provider', [...approval, runtime({ type: 'request.closed', nativeRequestId: 'req-1', status: 'cancelled', reason: 'provider' })], respond('req-1'), 'request_not_pending'],
    ['a request of another runner process', approval, respond('req-1', { decision: 'accept' }, { runnerEpoch: 2 }), 'request_not_resumable'],
    ['an approval answered with answers', approval, respond('req-1', { answers: { a: ['b'] } }), 'invalid_request'],
    ['a question answered with a decision', question, respond('q-1', { decision: 'accept' }), 'invalid_request'],
  ] as const)('should refuse %s', (_name, history, step, code) => void given(...history).when(step).thenRejects(code))

  it('should take an answer while the asking runner is not linked, for its link to deliver when it is back', () =>
    given(...approval)
      .when(respond('req-1', { decision: 'accept' }, { runnerEpoch: null }))
      .thenIncludes({ type: 'runtime-request.updated', payload: { id, status: 'resolved' } })
      .thenEffects({ kind: 'request.respond', requestId: id, decision: 'accept' }))

  it('should let a question be cancelled with a decision', () =>
    given(...question).when(respond('q-1', { decision: 'cancel' })).thenEffects({ kind: 'request.respond', decision: 'cancel', answers: null }))
})

describe('request.closed', () => {
  it.each([
    ['resolved', 'completed', 'live'],
    ['cancelled', 'cancelled', 'not_resumable'],
  ] as const)('%s by the provider closes node and item and resumes the run', (status, itemStatus, capability) =>
    void given(...approval)
      .when(runtime({ type: 'request.closed', nativeRequestId: 'req-1', status, reason: 'provider' }))
      .thenState(({ state }) => {
        expect(state.runtimeRequests.get(id)).toMatchObject({ status, responseCapability: { type: capability } })
        expect(state.turnItems.get(deriveId.requestItem(id))?.status).toBe(itemStatus)
        expect(state.runs.get(runId(1))?.status).toBe('running')
      }))

  it('should drop an unknown request', () =>
    given(...started).when(runtime({ type: 'request.closed', nativeRequestId: 'x', status: 'resolved', reason: null })).thenDropped('unknown request'))
})

describe('requests at the end of the turn', () => {
  it('should cancel pending requests as not resumable when the run ends', () =>
    given(...approval)
      .when(turnCompleted(1, { status: 'failed' }))
      .thenState(({ state }) => {
        expect(state.runtimeRequests.get(id)).toMatchObject({ status: 'cancelled', responseCapability: { type: 'not_resumable', reason: 'turn_ended' } })
        expect(state.nodes.get(deriveId.requestNode(id))?.status).toBe('failed')
      }))
})

describe('requests.expire', () => {
  const expiring = [...started, requestOpened(1, 'req-1', {}, { now: 2_000, requestExpiryMs: 1_000 })]

  it('should leave a request that has not reached its expiry', () =>
    given(...expiring).when(system({ type: 'requests.expire' }, { now: 2_999 })).thenNothing())

  it('should leave a request with no expiry', () => given(...approval).when(system({ type: 'requests.expire' }, { now: 10 ** 12 })).thenNothing())

  it('should expire it, decline it to the provider and close its node and item', () =>
    given(...expiring)
      .when(system({ type: 'requests.expire' }, { now: 3_000 }))
      .thenIncludes(
        { type: 'runtime-request.updated', payload: { id, status: 'expired', responseCapability: { type: 'not_resumable', reason: 'expired' }, response: { decision: 'decline', answers: null, by: 'system', at: 3_000 } } },
        { type: 'run.updated', payload: { status: 'running' } },
      )
      .thenEffects({ kind: 'request.respond', requestId: id, nativeRequestRef: 'req-1', decision: 'decline', answers: null })
      .thenState(({ state }) => {
        expect(state.nodes.get(deriveId.requestNode(id))).toMatchObject({ status: 'cancelled', completedAt: 3_000 })
        expect(state.turnItems.get(deriveId.requestItem(id))).toMatchObject({ status: 'cancelled', completedAt: 3_000 })
      }))

  it('should cancel an expired question', () =>
    given(...started, requestOpened(1, 'q-1', { kind: 'user_input', questions: [], availableDecisions: ['cancel'] }, { requestExpiryMs: 0 }))
      .when(system({ type: 'requests.expire' }))
      .thenEffects({ kind: 'request.respond', decision: 'cancel' }))

  it('should refuse an expired request afterwards', () =>
    given(...expiring, system({ type: 'requests.expire' }, { now: 3_000 })).when(respond('req-1')).thenRejects('request_not_pending'))
})
