/** @module checkpoint.rollback on a thread whose workspace has no git: a clear refusal, not a silent no-op. */
import { describe, expect, it } from 'vitest'
import { given } from '../testing/decider-spec.ts'
import { checkpointId, command, completedRun, create, linked, runtime } from '../testing/steps.ts'

const rollback = (ordinal: number) => command({ type: 'checkpoint.rollback', checkpointId: checkpointId(ordinal) })

describe('checkpoint.rollback without checkpoints', () => {
  it('should refuse with capability_unsupported when the runner reported checkpoints unavailable', () =>
    given(create(), linked(), runtime({ type: 'workspace.features', checkpoints: 'unavailable' }), ...completedRun(1))
      .when(rollback(0))
      .thenRejects('capability_unsupported'))

  it('should show checkpoints unavailable in the projection', () =>
    given(create(), linked())
      .when(runtime({ type: 'workspace.features', checkpoints: 'unavailable' }))
      .thenState(({ state }) => expect(state.thread?.checkpoints).toBe('unavailable')))

  it('should still answer checkpoint_not_found where checkpoints are available', () =>
    given(create(), linked(), runtime({ type: 'workspace.features', checkpoints: 'available' }))
      .when(rollback(4))
      .thenRejects('checkpoint_not_found'))
})
