/** @module checkpoint.rollback: later runs become rolled back, later checkpoints stale. */
import { describe, expect, it } from 'vitest'
import { deriveId } from '../../contracts/index.ts'
import { given, type Step } from '../testing/decider-spec.ts'
import {
  checkpoint,
  checkpointId,
  command,
  create,
  dispatch,
  linked,
  nativeTurn,
  rootNodeId,
  runId,
  runtime,
  say,
  turnCompleted,
  turnStarted,
} from '../testing/steps.ts'

const run = (n: number): Step[] => [
  dispatch(`message ${n}`),
  runtime({ type: 'provider-thread.bound', runId: runId(n), provider: 'codex', nativeThreadId: 'native-1', nativeConversationHeadRef: null }),
  turnStarted(n),
  say(n, `msg-${n}`, `reply ${n}`),
  turnCompleted(n),
  checkpoint(n),
]
const history = [create(), linked(), checkpoint(0), ...run(1), ...run(2), ...run(3)]
const rollback = (ordinal: number) => command({ type: 'checkpoint.rollback', checkpointId: checkpointId(ordinal) })

describe('checkpoint.rollback', () => {
  it('should roll back later runs, their nodes and items, and stale later checkpoints', () =>
    given(...history)
      .when(rollback(1))
      .thenEffects({
        kind: 'thread.rollback',
        checkpointId: checkpointId(1),
        ref: 'ref-1',
        appRunOrdinal: 1,
        providerThread: { id: deriveId.providerThread('codex', 'native-1'), provider: 'codex', nativeThreadRef: 'native-1' },
        nativeTurnRefs: [nativeTurn(2), nativeTurn(3)],
      })
      .thenState(({ state }) => {
        expect([1, 2, 3].map((n) => state.runs.get(runId(n))?.status)).toEqual(['completed', 'rolled_back', 'rolled_back'])
        expect(state.nodes.get(rootNodeId(2))?.status).toBe('rolled_back')
        expect(state.nodes.get(rootNodeId(1))?.status).toBe('completed')
        const itemsOf = (n: number) => [...state.turnItems.values()].filter((i) => i.runId === runId(n)).map((i) => i.status)
        expect(itemsOf(1).every((s) => s !== 'rolled_back')).toBe(true)
        expect([...itemsOf(2), ...itemsOf(3)].every((s) => s === 'rolled_back')).toBe(true)
        expect([0, 1, 2, 3].map((n) => state.checkpoints.get(checkpointId(n))?.status)).toEqual(['ready', 'ready', 'stale', 'stale'])
      }))

  it('should roll back to the baseline, before the first run', () =>
    given(...history)
      .when(rollback(0))
      .thenEffects({ kind: 'thread.rollback', appRunOrdinal: 0, nativeTurnRefs: [nativeTurn(1), nativeTurn(2), nativeTurn(3)] })
      .thenState(({ state }) => expect([...state.runs.values()].every((r) => r.status === 'rolled_back')).toBe(true)))

  it('should start a fresh provider conversation after a rollback to the baseline', () =>
    given(...history, rollback(0))
      .when(dispatch('from scratch'))
      .thenEffects({ kind: 'turn.start', runId: runId(4), providerThread: null }))

  it('should resume the rolled-back provider conversation after a rollback to a run', () =>
    given(...history, rollback(1))
      .when(dispatch('again'))
      .thenEffects({ kind: 'turn.start', providerThread: { id: deriveId.providerThread('codex', 'native-1') } }))

  it('should not roll back a run twice when rolling back further', () =>
    given(...history, rollback(2))
      .when(rollback(1))
      .thenEffects({ kind: 'thread.rollback', nativeTurnRefs: [nativeTurn(2)] }))

  it('should drop items that arrive for a rolled-back run', () =>
    given(...history, rollback(1)).when(say(3, 'late', 'too late')).thenDropped('rolled-back'))

  it('should give the next run a fresh ordinal and report the rolled-back runs as not latest', () =>
    given(...history, rollback(1))
      .when(dispatch('again'))
      .thenEffects({ kind: 'turn.start', runId: runId(4), runOrdinal: 4 }))

  it.each([
    ['an unknown checkpoint', history, rollback(9), 'checkpoint_not_found'],
    ['a stale checkpoint', [...history, rollback(1)], rollback(2), 'checkpoint_not_ready'],
    ['an active run', [...history, dispatch('busy')], rollback(1), 'run_active'],
    ['a queued run', [create(), checkpoint(0), dispatch('waiting')], rollback(0), 'run_active'],
  ] as const)('should refuse %s', (_name, past, step, code) => void given(...past).when(step).thenRejects(code))
})
