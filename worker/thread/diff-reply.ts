/**
 * @module Reading a stored diff for the API: the thread must be readable, the checkpoint or
 * run must exist, and a run without a diff of its own shows its checkpoint's diff (the two
 * are the same unless files changed between the previous checkpoint and the run's start).
 */
import { loomError, type DiffSubject } from '../../src/contracts/index.ts'
import type { Claims } from '../auth/claims.ts'
import { readDiff } from '../store/thread/diffs.ts'
import { readRefusal } from './client-requests.ts'
import { fail, type Reply, type ThreadRuntime } from './runtime.ts'

/** A diff's text, or an error reply (JSON). */
export type DiffReply = { status: 200; diff: string; truncated: boolean } | (Reply & { diff?: undefined })

export const diffReply = (rt: ThreadRuntime, claims: Claims, subject: DiffSubject, id: string): DiffReply => {
  const refusal = readRefusal(rt, claims)
  if (refusal) return fail(refusal)
  const { db, state } = rt.core
  let found = null
  if (subject === 'checkpoint') {
    if (!state.checkpoints.has(id)) return fail(loomError('not_found', `checkpoint ${id} does not exist in this thread`))
    found = readDiff(db, 'checkpoint', id)
  } else {
    const run = state.runs.get(id)
    if (!run) return fail(loomError('not_found', `run ${id} does not exist in this thread`))
    found = readDiff(db, 'run', id) ?? (run.checkpointId ? readDiff(db, 'checkpoint', run.checkpointId) : null)
  }
  if (!found) return fail(loomError('not_found', `no diff is stored for ${subject} ${id} (no checkpoint captured, or the runner has not sent it)`))
  return { status: 200, diff: found.text, truncated: found.truncated }
}
