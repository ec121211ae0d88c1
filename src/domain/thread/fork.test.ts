/** @module thread.fork on the source and fork.seed on the target: a frozen copy, idempotent by transfer id. */
import { describe, expect, it } from 'vitest'
import { deriveId, type CommandInput } from '../../contracts/index.ts'
import { ThreadWorld, given } from '../testing/decider-spec.ts'
import { THREAD, MODEL, checkpoint, checkpointId, command, completedRun, completedRunIn, create, dispatch, linked, runId, say, system, turnCompleted, turnStarted } from '../testing/steps.ts'
import { ForkSeed } from './seeds.ts'

const FORK = 'thread-2'
const source = [create({ title: 'Source' }), linked(), ...completedRun(1), checkpoint(1), ...completedRun(2)]
type Point = Extract<CommandInput, { type: 'thread.fork' }>['sourcePoint']
const fork = (sourcePoint: Point = { type: 'latest_stable' }, targetThreadId = FORK, title?: string) =>
  command({ type: 'thread.fork', targetThreadId, sourcePoint, ...(title ? { title } : {}) })
const transferId = deriveId.transfer('fork', THREAD, FORK)

/** The seed the source committed, as the target receives it. */
const seedOf = (world: ThreadWorld) => world.lastEffect('fork.seed').body.seed

describe('thread.fork on the source', () => {
  it('should record the transfer and send the seed to the target', () =>
    given(...source, command({ type: 'thread.metadata.update', branch: 'main' }))
      .when(fork({ type: 'run', runId: runId(1) }, FORK, 'Experiment'))
      .thenEvents({
        type: 'context-transfer.created',
        payload: {
          id: transferId,
          type: 'fork',
          sourceThreadId: THREAD,
          targetThreadId: FORK,
          sourcePoint: { threadId: THREAD, runId: runId(1), runOrdinal: 1, checkpointId: checkpointId(1), lastItemOrdinal: 3 },
          status: 'pending',
          createdBy: 'user:alice',
        },
      })
      .thenEffects({ kind: 'fork.seed', targetThreadId: FORK })
      .thenState(({ world }) => {
        const seed = ForkSeed.parse(JSON.parse(seedOf(world)))
        expect(seed.template).toMatchObject({ title: 'Experiment', workspaceId: 'ws-1', branch: 'main', worktreePath: null, modelSelection: MODEL.codex })
        expect(seed.items.map((i) => i.ordinal)).toEqual([1, 2, 3])
        expect(seed.messages.map((m) => m.text)).toEqual(['message 1', 'reply 1'])
      }))

  it.each([
    ['latest_stable', { type: 'latest_stable' }, 2],
    ['a completed run', { type: 'run', runId: runId(1) }, 1],
    ['a ready checkpoint', { type: 'checkpoint', checkpointId: checkpointId(1) }, 1],
  ] as const)('should resolve %s', (_name, point, runOrdinal) =>
    void given(...source).when(fork(point)).thenIncludes({ type: 'context-transfer.created', payload: { sourcePoint: expect.objectContaining({ runOrdinal }) } }))

  it.each([
    ['latest_stable with no completed run', [create(), linked(), dispatch('busy')], { type: 'latest_stable' }],
    ['a run that is not completed', [create(), linked(), dispatch('busy')], { type: 'run', runId: runId(1) }],
    ['an unknown run', source, { type: 'run', runId: runId(7) }],
    ['an unknown checkpoint', source, { type: 'checkpoint', checkpointId: checkpointId(5) }],
  ] as const)('should refuse %s with fork_point_invalid', (_name, history, point) => void given(...history).when(fork(point)).thenRejects('fork_point_invalid'))

  it('should refuse a fork into itself with invalid_request', () => given(...source).when(fork({ type: 'latest_stable' }, THREAD)).thenRejects('invalid_request'))

  it('should refuse a second fork into the same target', () => given(...source, fork()).when(fork({ type: 'run', runId: runId(1) })).thenRejects('thread_exists'))

  it('should not carry a later run queued during the fork point', () =>
    given(create(), linked(), dispatch('first'), turnStarted(1), dispatch('queued meanwhile'), say(1, 'msg-1', 'reply 1'), turnCompleted(1))
      .when(fork({ type: 'run', runId: runId(1) }))
      .thenState(({ world }) => {
        const seed = ForkSeed.parse(JSON.parse(seedOf(world)))
        expect(seed.items.map((i) => i.runId)).toEqual([runId(1), runId(1)])
        expect(seed.messages.map((m) => m.text)).toEqual(['first', 'reply 1'])
      }))

  it('should leave out rolled-back runs', () =>
    given(...source, command({ type: 'checkpoint.rollback', checkpointId: checkpointId(1) }), ...completedRun(3))
      .when(fork())
      .thenState(({ world }) => {
        const seed = ForkSeed.parse(JSON.parse(seedOf(world)))
        expect(new Set(seed.items.map((i) => i.runId))).toEqual(new Set([runId(1), runId(3)]))
      }))
})

describe('fork.seed on the target', () => {
  const seeded = () => {
    const world = given(...source).world()
    world.must(fork({ type: 'run', runId: runId(1) }))
    return seedOf(world)
  }

  it('should create the fork with inherited items and a fork marker', () => {
    const seed = seeded()
    given()
      .when(system({ type: 'fork.seed', seed }, { now: 5_000 }))
      .thenIncludes({
        type: 'thread.created',
        payload: {
          id: FORK,
          title: 'Fork of Source',
          lineage: { parentThreadId: THREAD, relationshipToParent: 'fork', rootThreadId: THREAD },
          forkedFrom: { threadId: THREAD, runId: runId(1), checkpointId: checkpointId(1), transferId },
          createdAt: 5_000,
        },
      })
      .thenIncludes({ type: 'context-transfer.created', payload: { id: transferId, status: 'delivered', updatedAt: 5_000 } })
      .thenEffects()
      .thenState(({ state }) => {
        const items = [...state.turnItems.values()].sort((a, b) => a.ordinal - b.ordinal)
        expect(items.map((i) => [i.ordinal, i.visibility, i.threadId, i.sourceThreadId])).toEqual([
          [1, 'inherited', FORK, THREAD],
          [2, 'inherited', FORK, THREAD],
          [3, 'inherited', FORK, THREAD],
          [4, 'synthetic', FORK, THREAD],
        ])
        expect(items.at(-1)?.content).toEqual({ type: 'fork', transferId, sourceThreadId: THREAD, targetThreadId: FORK })
        expect([...state.messages.values()].every((m) => m.threadId === FORK)).toBe(true)
        expect(state.runs.size).toBe(0)
      })
  })

  it('should accept a redelivered seed and change nothing', () => {
    const seed = seeded()
    given(system({ type: 'fork.seed', seed })).when(system({ type: 'fork.seed', seed })).thenNothing()
  })

  it('should refuse a seed for a thread that already exists otherwise', () =>
    given(create({ threadId: FORK })).when(system({ type: 'fork.seed', seed: seeded() })).thenRejects('thread_exists'))

  it('should run its own first run after the inherited items', () =>
    given(system({ type: 'fork.seed', seed: seeded() }), linked())
      .when(dispatch('in the fork', { threadId: FORK }))
      .thenIncludes({ type: 'run.created', payload: { id: runId(1, FORK), ordinal: 1 } })
      .thenIncludes({ type: 'turn-item.updated', payload: { ordinal: 5, visibility: 'local' } })
      .thenEffects({ kind: 'turn.start', runId: runId(1, FORK), providerThread: null }))

  it('should keep the lineage root when forking a fork', () => {
    const child = given(system({ type: 'fork.seed', seed: seeded() }), linked(), ...completedRunIn(FORK)).world()
    child.must(fork({ type: 'latest_stable' }, 'thread-3'))
    given()
      .when(system({ type: 'fork.seed', seed: seedOf(child) }))
      .thenIncludes({ type: 'thread.created', payload: { id: 'thread-3', lineage: { parentThreadId: FORK, relationshipToParent: 'fork', rootThreadId: THREAD } } })
  })
})


describe('what became of a fork seed', () => {
  it.each([
    [true, null, 'delivered', null],
    [false, 'thread thread-2 already exists', 'failed', 'thread thread-2 already exists'],
  ] as const)('should record delivered=%s on the source transfer', (delivered, error, status, recorded) =>
    void given(...source, fork())
      .when(system({ type: 'transfer.outcome', transferId, delivered, error }))
      .thenIncludes({ type: 'context-transfer.updated', payload: { id: transferId, status, error: recorded } }))

  it('should change nothing for a transfer that is no longer pending', () =>
    void given(...source, fork(), system({ type: 'transfer.outcome', transferId, delivered: true, error: null }))
      .when(system({ type: 'transfer.outcome', transferId, delivered: false, error: 'late' }))
      .thenEvents())
})
