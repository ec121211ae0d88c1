/** @module thread.create, the guards every command passes, and the thread's own settings. */
import { describe, expect, it } from 'vitest'
import { given } from '../testing/decider-spec.ts'
import { THREAD, WORKSPACE, MODEL, command, completedRun, create, dispatch, linked, runtime, system } from '../testing/steps.ts'

describe('thread.create', () => {
  it('should create the thread with defaults, the actor and the time', () =>
    given()
      .when(create({}, { now: 42, actor: 'user:bob' }))
      .thenEvents({
        type: 'thread.created',
        payload: {
          id: THREAD,
          workspaceId: WORKSPACE,
          title: 'New thread',
          modelSelection: MODEL.codex,
          runtimeMode: 'approval-required',
          interactionMode: 'default',
          lineage: { parentThreadId: null, relationshipToParent: null, rootThreadId: THREAD },
          forkedFrom: null,
          checkpoints: 'unknown',
          createdBy: 'user:bob',
          createdAt: 42,
          updatedAt: 42,
          archivedAt: null,
          deletedAt: null,
        },
      })
      .thenEffects())

  it('should refuse a second create with thread_exists', () => given(create()).when(create()).thenRejects('thread_exists'))

  it('should refuse it too when the history is given as raw events', () => {
    const log = given(create()).world().log
    given({ events: log }).when(create()).thenRejects('thread_exists')
  })

  it('should refuse any other command on a missing thread with thread_not_found', () =>
    given().when(dispatch('hello')).thenRejects('thread_not_found'))

  it('should refuse commands on a deleted thread with thread_not_found', () =>
    given(create(), command({ type: 'thread.delete' })).when(command({ type: 'thread.unarchive' })).thenRejects('thread_not_found'))
})

describe('expectedSequence', () => {
  it('should accept a command that names the current sequence', () =>
    given(create()).when(command({ type: 'thread.runtime-mode.set', runtimeMode: 'full-access', expectedSequence: 1 })).thenIncludes({ type: 'thread.updated' }))

  it.each([0, 2, 7])('should refuse expectedSequence %i at sequence 1 with sequence_conflict', (expectedSequence) =>
    void given(create())
      .when(command({ type: 'thread.runtime-mode.set', runtimeMode: 'full-access', expectedSequence }))
      .thenRejects('sequence_conflict'))

  it('should check the sequence before the thread exists', () =>
    given().when(create({ expectedSequence: 3 })).thenRejects('sequence_conflict'))
})

describe('thread settings', () => {
  it.each([
    [{ type: 'thread.model-selection.set', modelSelection: MODEL.claude }, { modelSelection: MODEL.claude }],
    [{ type: 'thread.runtime-mode.set', runtimeMode: 'full-access' }, { runtimeMode: 'full-access' }],
    [{ type: 'thread.interaction-mode.set', interactionMode: 'plan' }, { interactionMode: 'plan' }],
    [{ type: 'thread.metadata.update', title: 'Renamed' }, { title: 'Renamed', branch: null }],
    [{ type: 'thread.metadata.update', branch: 'feature/x' }, { title: 'New thread', branch: 'feature/x' }],
  ] as const)('%o updates the thread', (input, changes) =>
    void given(create({}, { now: 1 }))
      .when(command(input, { now: 9 }))
      .thenEvents({ type: 'thread.updated', payload: { ...changes, updatedAt: 9 } }))
})

describe('archive, unarchive, delete', () => {
  const archived = [create(), command({ type: 'thread.archive' }, { now: 5 })]

  it('should archive an idle thread', () =>
    given(create()).when(command({ type: 'thread.archive' }, { now: 5 })).thenEvents({ type: 'thread.updated', payload: { archivedAt: 5 } }))

  it.each([
    ['message.dispatch', dispatch('hi')],
    ['thread.archive', command({ type: 'thread.archive' })],
    ['thread.runtime-mode.set', command({ type: 'thread.runtime-mode.set', runtimeMode: 'full-access' })],
    ['run.interrupt', command({ type: 'run.interrupt', runId: 'run:x:1' })],
  ])('should refuse %s on an archived thread with thread_archived', (_name, step) =>
    void given(...archived).when(step).thenRejects('thread_archived'))

  it.each([
    ['thread.unarchive', command({ type: 'thread.unarchive' }), { archivedAt: null }],
    ['thread.metadata.update', command({ type: 'thread.metadata.update', title: 'Old' }), { title: 'Old', archivedAt: 5 }],
    ['thread.delete', command({ type: 'thread.delete' }, { now: 6 }), { deletedAt: 6 }],
  ])('should still take %s when archived', (_name, step, payload) =>
    void given(...archived).when(step).thenEvents({ type: 'thread.updated', payload }))

  it('should refuse to unarchive a thread that is not archived', () =>
    given(create()).when(command({ type: 'thread.unarchive' })).thenRejects('thread_not_archived'))

  it.each([
    ['thread.archive', command({ type: 'thread.archive' })],
    ['thread.delete', command({ type: 'thread.delete' })],
  ])('should refuse %s while a run is queued with run_active', (_name, step) =>
    void given(create(), dispatch('hi')).when(step).thenRejects('run_active'))

  it('should refuse to archive while a run is active', () =>
    given(create(), linked(), dispatch('hi')).when(command({ type: 'thread.archive' })).thenRejects('run_active'))

  it.each([
    ['thread.archive', 'thread_archived'],
    ['thread.delete', 'thread_deleted'],
  ] as const)('%s stops live provider sessions and closes them', (type, reason) =>
    void given(create(), linked(), runtime({ type: 'session.started', provider: 'codex', model: null }), ...completedRun(1))
      .when(command({ type }))
      .thenIncludes({ type: 'provider-session.updated', payload: { status: 'stopped' } })
      .thenEffects({ kind: 'session.close', provider: 'codex', reason }))

  it.each([
    ['released when idle', [system({ type: 'idle.release' })]],
    ['closed by an archive', [command({ type: 'thread.archive' })]],
  ])('should tell the runner to remove the worktree of a deleted thread whose session was %s', (_how, before) =>
    void given(create(), linked(), runtime({ type: 'session.started', provider: 'codex', model: null }), ...completedRun(1), ...before)
      .when(command({ type: 'thread.delete' }))
      .thenEffects({ kind: 'session.close', provider: 'codex', reason: 'thread_deleted' }))

  it('should send no close for a deleted thread that never ran', () =>
    given(create()).when(command({ type: 'thread.delete' })).thenEffects())

  it('should not close a session twice', () =>
    given(create(), linked(), runtime({ type: 'session.started', provider: 'codex', model: null }), system({ type: 'idle.release' }))
      .when(command({ type: 'thread.archive' }))
      .thenEffects()
      .thenState(({ events }) => expect(events.map((e) => e.type)).toEqual(['thread.updated'])))
})
