/** @module The queue: promoting a queued message into the active run, and reordering. */
import { describe, expect, it } from 'vitest'
import { deriveId } from '../../contracts/index.ts'
import { given } from '../testing/decider-spec.ts'
import { attemptId, command, create, dispatch, linked, runId, turnCompleted, turnStarted } from '../testing/steps.ts'

const started = [create(), linked(), dispatch('hello'), turnStarted(1)]
const promote = (queued: number, target = 1) => command({ type: 'queued-message.promote-to-steer', queuedRunId: runId(queued), targetRunId: runId(target) })
const reorder = (n: number, before: number | null) => command({ type: 'queued-run.reorder', runId: runId(n), beforeRunId: before === null ? null : runId(before) })
const queuedMessage = deriveId.userMessage(runId(2), 1)

describe('queued-message.promote-to-steer', () => {
  it('should move the message into the active run, steer with it and cancel the queued run', () =>
    given(...started, dispatch('also this'))
      .when(promote(2))
      .thenIncludes(
        { type: 'message.updated', payload: { id: queuedMessage, runId: runId(1) } },
        { type: 'turn-item.updated', payload: { runId: runId(1), content: expect.objectContaining({ messageId: queuedMessage, inputIntent: 'promoted_queued_to_steer' }) } },
        { type: 'run.updated', payload: { id: runId(2), status: 'cancelled' } },
      )
      .thenEffects({ kind: 'turn.steer', runId: runId(1), attemptId: attemptId(1), message: { messageId: queuedMessage, text: 'also this' } }))

  it.each([
    ['the queued run is not queued', [...started], 2, 1, 'run_not_queued'],
    ['the queued run already ended', [...started, dispatch('x'), command({ type: 'run.interrupt', runId: runId(2) })], 2, 1, 'run_not_queued'],
    ['the target is not the active run', [...started, dispatch('x')], 2, 2, 'run_not_active'],
    ['the active run is restarting', [...started, dispatch('redo', { dispatchMode: { type: 'restart_active', targetRunId: runId(1) } }), dispatch('x')], 2, 1, 'run_active'],
  ] as const)('should refuse when %s', (_name, history, queued, target, code) => void given(...history).when(promote(queued, target)).thenRejects(code))
})

describe('queued-run.reorder', () => {
  const three = [...started, dispatch('two'), dispatch('three'), dispatch('four')]
  const order = (world: { state: { runs: Map<string, { id: string; status: string; queuePosition: number | null }> } }) =>
    [...world.state.runs.values()].filter((r) => r.status === 'queued').sort((a, b) => (a.queuePosition ?? 0) - (b.queuePosition ?? 0)).map((r) => r.id)

  it.each([
    ['to the front', 4, 2, [4, 2, 3]],
    ['to the end', 2, null, [3, 4, 2]],
    ['before the next', 2, 4, [3, 2, 4]],
    ['where it already is', 3, 4, [2, 3, 4]],
  ] as const)('should move a run %s', (_name, n, before, expected) =>
    void given(...three)
      .when(reorder(n, before))
      .thenEffects()
      .thenState(({ state }) => expect(order({ state })).toEqual(expected.map((k) => runId(k)))))

  it('should write only the runs whose position changed', () =>
    given(...three).when(reorder(3, 4)).thenNothing())

  it('should start the reordered head when the active run ends', () =>
    given(...three, reorder(4, 2)).when(turnCompleted(1)).thenEffects({ kind: 'turn.start', runId: runId(4) }))

  it.each([
    ['the run is active', 1, null],
    ['the run is unknown', 9, null],
    ['the anchor is not queued', 2, 1],
  ] as const)('should refuse with run_not_queued when %s', (_name, n, before) => void given(...three).when(reorder(n, before)).thenRejects('run_not_queued'))
})
