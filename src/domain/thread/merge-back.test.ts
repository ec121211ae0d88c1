/** @module thread.merge_back on a fork and merge_back.receive on its parent. */
import { describe, expect, it } from 'vitest'
import { deriveId, type CommandInput } from '../../contracts/index.ts'
import { ThreadWorld, given } from '../testing/decider-spec.ts'
import { THREAD, checkpoint, command, completedRun, completedRunIn, create, linked, runId, system } from '../testing/steps.ts'
import { MergeBackDelivery } from './seeds.ts'

const FORK = 'thread-2'
const forkTransfer = deriveId.transfer('fork', THREAD, FORK)

/** The fork's history: seeded from THREAD after one run, with a runner. */
const forked = () => {
  const parent = given(create(), linked(), ...completedRun(1)).world()
  parent.must(command({ type: 'thread.fork', targetThreadId: FORK, sourcePoint: { type: 'latest_stable' } }))
  return [system({ type: 'fork.seed', seed: parent.lastEffect('fork.seed').body.seed }), linked()]
}
type MergeBack = Partial<Extract<CommandInput, { type: 'thread.merge_back' }>>
const mergeBack = (input: MergeBack = {}) => command({ type: 'thread.merge_back', threadId: FORK, targetThreadId: THREAD, ...input })
const deliveryOf = (world: ThreadWorld) => world.lastEffect('merge_back.deliver').body.delivery

describe('thread.merge_back on the fork', () => {
  it("should send the fork's own items to its parent", () =>
    void given(...forked(), ...completedRunIn(FORK))
      .when(mergeBack())
      .thenEvents({
        type: 'context-transfer.created',
        payload: {
          id: deriveId.transfer('merge_back', FORK, THREAD, 1),
          type: 'merge_back',
          sourceThreadId: FORK,
          targetThreadId: THREAD,
          basePoint: expect.objectContaining({ threadId: THREAD, lastItemOrdinal: 2 }),
          sourcePoint: expect.objectContaining({ threadId: FORK, runId: runId(1, FORK), runOrdinal: 1 }),
          status: 'pending',
        },
      })
      .thenEffects({ kind: 'merge_back.deliver', targetThreadId: THREAD })
      .thenState(({ world }) => {
        const delivery = MergeBackDelivery.parse(JSON.parse(deliveryOf(world)))
        expect(delivery.items.map((i) => [i.visibility, i.runId])).toEqual([
          ['local', runId(1, FORK)],
          ['local', runId(1, FORK)],
        ])
        expect(delivery.messages.map((m) => m.text)).toEqual(['fork message 1', 'fork reply 1'])
      }))

  it.each([
    ['a thread that is not a fork', [create(), linked(), ...completedRun(1)], { threadId: THREAD, targetThreadId: 'thread-9' }, 'transfer_invalid'],
    ['a target that is not the parent', null, { targetThreadId: 'thread-9' }, 'transfer_invalid'],
    ['a fork with no completed run', null, {}, 'fork_point_invalid'],
    ['a point before any work of its own', 'baseline', { sourcePoint: { type: 'checkpoint', checkpointId: deriveId.checkpoint(deriveId.checkpointScope(FORK), 0) } }, 'transfer_invalid'],
  ] as const)('should refuse %s', (_name, history, input, code) => {
    const past = history === null ? forked() : history === 'baseline' ? [...forked(), checkpoint(0), ...completedRunIn(FORK)] : history
    given(...past).when(mergeBack(input)).thenRejects(code)
  })

  it('should refuse to merge back the same point twice', () =>
    void given(...forked(), ...completedRunIn(FORK), mergeBack()).when(mergeBack()).thenRejects('transfer_invalid'))
})

describe('merge_back.receive on the parent', () => {
  const delivered = () => {
    const fork = given(...forked(), ...completedRunIn(FORK)).world()
    fork.must(mergeBack())
    return deliveryOf(fork)
  }
  const parent = [create(), linked(), ...completedRun(1)]
  const transferId = deriveId.transfer('merge_back', FORK, THREAD, 1)

  it('should record the transfer and a pending marker item', () =>
    void given(...parent)
      .when(system({ type: 'merge_back.receive', delivery: delivered() }, { now: 7_000 }))
      .thenEvents(
        { type: 'context-transfer.created', payload: { id: transferId, status: 'delivered', updatedAt: 7_000 } },
        {
          type: 'turn-item.updated',
          payload: { ordinal: 3, status: 'pending', visibility: 'synthetic', sourceThreadId: FORK, content: { type: 'fork', transferId, sourceThreadId: FORK, targetThreadId: THREAD } },
        },
      )
      .thenEffects())

  it('should accept a redelivery and change nothing', () => {
    const delivery = delivered()
    given(...parent, system({ type: 'merge_back.receive', delivery })).when(system({ type: 'merge_back.receive', delivery })).thenNothing()
  })

  it('should keep the fork transfer of the parent apart from the merge-back', () =>
    void given(...parent, command({ type: 'thread.fork', targetThreadId: FORK, sourcePoint: { type: 'latest_stable' } }))
      .when(system({ type: 'merge_back.receive', delivery: delivered() }))
      .thenState(({ state }) => expect([...state.contextTransfers.keys()]).toEqual([forkTransfer, transferId])))
})
