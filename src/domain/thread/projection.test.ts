/** @module toShell and toProjection: what the workspace list and readers see (events -> rows). */
import { describe, expect, it } from 'vitest'
import { providerFailure, type ConversationMessage } from '../../contracts/index.ts'
import { given, type Step } from '../testing/decider-spec.ts'
import {
  THREAD,
  WORKSPACE,
  command,
  completedRun,
  create,
  dispatch,
  linked,
  lost,
  requestOpened,
  respond,
  runId,
  say,
  turnCompleted,
  turnStarted,
} from '../testing/steps.ts'
import { shellChanged, toProjection, toShell } from './projection.ts'
import { evolve, initialState, putEntity, scanNewestMessage } from './state.ts'

const shellAfter = (...steps: Step[]) => {
  const world = given(...steps).world()
  return toShell(world.state, world.sequence)
}

describe('toShell status', () => {
  it.each([
    ['idle after create', [create()], 'idle', null, null],
    ['queued awaiting a runner', [create(), dispatch('hi')], 'queued', 'awaiting runner', null],
    ['starting counts as running', [create(), linked(), dispatch('hi')], 'running', null, runId(1)],
    ['running', [create(), linked(), dispatch('hi'), turnStarted(1)], 'running', null, runId(1)],
    ['waiting for approval', [create(), linked(), dispatch('hi'), turnStarted(1), requestOpened(1, 'r')], 'waiting_for_approval', null, runId(1)],
    ['running again once answered', [create(), linked(), dispatch('hi'), turnStarted(1), requestOpened(1, 'r'), respond('r')], 'running', null, runId(1)],
    ['idle after a completed run', [create(), linked(), ...completedRun(1)], 'idle', null, null],
    [
      'failed with the failure as reason',
      [create(), linked(), dispatch('hi'), turnStarted(1), turnCompleted(1, { status: 'failed', failure: providerFailure('rate_limited', 'slow down') })],
      'failed',
      'slow down',
      null,
    ],
    ['interrupted when the runner is lost', [create(), linked(), dispatch('hi'), turnStarted(1), lost(1)], 'interrupted', 'The runner stopped answering within its lease', null],
    ['queued again behind nothing after a loss', [create(), linked(), dispatch('a'), dispatch('b'), lost(1)], 'queued', 'awaiting runner', null],
  ] as const)('%s', (_name, steps, status, statusReason, activeRunId) =>
    expect(shellAfter(...steps)).toMatchObject({ status, statusReason, activeRunId }))
})

describe('toShell summary', () => {
  it('should summarize the thread, its latest run and last message', () =>
    expect(shellAfter(create({ title: 'Fix the build' }), linked(), ...completedRun(1), dispatch('second'))).toEqual({
      id: THREAD,
      workspaceId: WORKSPACE,
      title: 'Fix the build',
      provider: 'codex',
      modelSelection: { provider: 'codex', model: 'gpt-5.1-codex' },
      runtimeMode: 'approval-required',
      interactionMode: 'default',
      status: 'running',
      statusReason: null,
      activeRunId: runId(2),
      latestRunId: runId(2),
      pendingRequestCount: 0,
      itemCount: 3,
      lastMessage: { role: 'user', text: 'second', at: 1_000 },
      parentThreadId: null,
      archived: false,
      deleted: false,
      createdAt: 1_000,
      updatedAt: 1_000,
      sequence: expect.any(Number),
    }))

  it('should skip a message that is still streaming', () =>
    expect(
      shellAfter(create(), linked(), dispatch('question', {}, { now: 5 }), turnStarted(1), say(1, 'm', 'partial answer'), {
        runtime: { type: 'item.updated', runId: runId(1), nativeItemId: 'm2', parentNativeItemId: null, status: 'running', content: { type: 'assistant_message', text: 'typing…' } },
      }).lastMessage,
    ).toMatchObject({ role: 'assistant', text: 'partial answer' }))

  it('should flag archived threads', () => expect(shellAfter(create(), command({ type: 'thread.archive' }))).toMatchObject({ archived: true, status: 'idle' }))

  it('should tell a change from a mere new sequence', () => {
    const world = given(create(), linked()).world()
    const before = toShell(world.state, world.sequence)
    expect(shellChanged(null, before)).toBe(true)
    expect(shellChanged(before, { ...before, sequence: 99, updatedAt: 99 })).toBe(false)
    world.must(dispatch('hi'))
    expect(shellChanged(before, toShell(world.state, world.sequence))).toBe(true)
    // A nested value that is another object with the same content is no change; with other content it is.
    expect(shellChanged(before, { ...before, modelSelection: { ...before.modelSelection } })).toBe(false)
    expect(shellChanged(before, { ...before, modelSelection: { ...before.modelSelection, model: 'other' } })).toBe(true)
    expect(shellChanged(before, { ...before, title: `${before.title}!` })).toBe(true)
  })
})

describe('toShell last message, kept as messages are put', () => {
  const message = (id: string, updatedAt: number, streaming: boolean, text: string): ConversationMessage => ({
    id: id as ConversationMessage['id'],
    threadId: THREAD as ConversationMessage['threadId'],
    runId: null,
    nodeId: null,
    role: 'assistant',
    text,
    attachments: [],
    streaming,
    createdAt: 0,
    updatedAt,
  })

  it('should agree with a scan of every message through random updates, and after a load in another order', () => {
    let seed = 7
    const random = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % n
    const world = given(create()).world()
    const state = world.state
    let clock = 0
    for (let step = 0; step < 2_000; step++) {
      clock += random(3) // equal times happen, as in one batch
      const id = `m${random(12)}`
      const previous = state.messages.get(id)
      // A message goes streaming -> finished; now and then the newest one is emptied or reopened.
      const streaming = random(5) === 0
      const text = random(7) === 0 ? '' : `text ${step}`
      const next = message(id, Math.max(clock, previous?.updatedAt ?? 0), streaming, text)
      evolve(state, { type: 'message.updated', payload: next })
      expect(toShell(state, step).lastMessage?.text ?? null, `step ${step}`).toBe(scanNewestMessage(state)?.text ?? null)
    }
    const reloaded = initialState()
    reloaded.thread = state.thread
    for (const m of [...state.messages.values()].reverse()) putEntity(reloaded, 'messages', m)
    expect(toShell(reloaded, 0).lastMessage?.at).toBe(toShell(state, 0).lastMessage?.at)
  })
})

describe('toProjection', () => {
  it('should list runs and items in ordinal order with the sequence', () => {
    const world = given(create(), linked(), ...completedRun(1), ...completedRun(2)).world()
    const projection = toProjection(world.state, world.sequence, { x: 'streamed' })
    expect(projection.sequence).toBe(world.log.length)
    expect(projection.runs.map((r) => r.ordinal)).toEqual([1, 2])
    expect(projection.turnItems.map((i) => i.ordinal)).toEqual([1, 2, 3, 4])
    expect(projection.streaming).toEqual({ x: 'streamed' })
  })

  it('should refuse to project a thread that does not exist', () => expect(() => toProjection(given().world().state, 0)).toThrow())
})
