/**
 * @module Test support: drives a ReplayedThread from what a transcript recorded the client
 * doing, for the corpus table. Each recorded outbound frame becomes a domain step: a
 * `prompt.offer` a dispatch (steering when the recorded turn had not ended yet, queued behind
 * a run still active here), `query.interrupt` a run interrupt, `permission.response` the
 * recorded decision on the pending runtime request, a `query.open` after a `runtime_exit` an
 * idle release. Forks and rollbacks are not driven here: such transcripts fail with that reason.
 */
import { command, dispatch, interrupt, runId, system } from '../../src/domain/testing/steps.ts'
import type { Transcript } from '../replay/index.ts'
import { runEnded, runStarted } from './replay-projection.ts'
import { recordedUserActions } from './replay-user-actions.ts'
import { ReplayedThread } from './replay-thread.ts'

const WAIT_MS = 1000

/** Replays `transcript` in compatible mode; resolves with the thread, or rejects with the reason it failed. */
export async function driveRecorded(transcript: Transcript): Promise<ReplayedThread> {
  const t = new ReplayedThread(transcript, { mode: 'compatible' })
  let runs = 0
  for (const action of recordedUserActions(transcript)) {
    switch (action.kind) {
      case 'unsupported':
        throw new Error(`${action.what}: not driven by the generic driver (line ${action.line})`)
      case 'reopen': {
        await t.until(`run ${runs} ends before the idle release`, (w) => runEnded(w, runs), WAIT_MS)
        const released = t.events.filter((e) => e.type === 'session.released').length
        t.step(system({ type: 'idle.release' }))
        await t.until('the session is released', () => t.events.filter((e) => e.type === 'session.released').length > released, WAIT_MS)
        break
      }
      case 'prompt': {
        const active = runs > 0 && !runEnded(t.world, runs)
        if (action.turnOpen && active) {
          await t.until(`run ${runs} starts its turn`, (w) => runStarted(w, runs), WAIT_MS)
          t.step(dispatch(action.text, { dispatchMode: { type: 'steer_active', targetRunId: runId(runs) } }))
        } else {
          t.step(dispatch(action.text, active ? { dispatchMode: { type: 'queue_after_active' } } : {}))
          runs++
        }
        break
      }
      case 'interrupt':
        await t.until(`run ${runs} starts its turn`, (w) => runStarted(w, runs), WAIT_MS)
        t.step(interrupt(runs))
        break
      case 'answer': {
        await t.until('a runtime request is pending', (w) => [...w.state.runtimeRequests.values()].some((r) => r.status === 'pending'), WAIT_MS)
        const request = [...t.world.state.runtimeRequests.values()].find((r) => r.status === 'pending')!
        t.step(command({ type: 'runtime-request.respond', requestId: request.id, ...('answers' in action ? { answers: action.answers } : { decision: action.decision }) }))
        break
      }
    }
  }
  for (let n = 1; n <= runs; n++) await t.until(`run ${n} ends`, (w) => runEnded(w, n), WAIT_MS)
  await t.finish()
  return t
}
