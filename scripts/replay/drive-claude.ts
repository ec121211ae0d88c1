/**
 * @module Drives a `claude-agent-sdk.query` replay through the worker's API, as
 * runner/claude/replay-driver.ts drives the domain: each recorded `prompt.offer` becomes a
 * message (steering while the recorded turn is still open, queued behind a run still active),
 * `query.interrupt` a run interrupt, `permission.response` the recorded decision on the pending
 * runtime request. Forks, rollbacks and idle releases cannot be caused through the API here.
 */
import type { ThreadProjection } from '../../src/contracts/index.ts'
import { recordedUserActions } from '../../runner/claude/replay-user-actions.ts'
import type { Transcript } from '../../runner/replay/index.ts'
import type { SystemThread } from './thread.ts'

const TERMINAL = new Set(['completed', 'interrupted', 'failed', 'cancelled'])
const WAIT_MS = 5000

const runOf = (p: ThreadProjection, n: number) => [...p.runs].sort((a, b) => a.ordinal - b.ordinal)[n - 1]
const runEnded = (p: ThreadProjection, n: number): boolean => TERMINAL.has(runOf(p, n)?.status ?? '')
const runStarted = (p: ThreadProjection, n: number): boolean => {
  const run = runOf(p, n)
  return run?.activeAttemptId != null && p.attempts.find((a) => a.id === run.activeAttemptId)?.providerTurnId != null
}

const ok = async (sent: Promise<{ status: number; body: unknown }>, what: string): Promise<void> => {
  const reply = await sent
  if (reply.status !== 200) throw new Error(`${what} refused (${reply.status}): ${JSON.stringify(reply.body)}`)
}

/** Plays the user's side of `transcript`; throws why it could not. */
export async function driveClaude(transcript: Transcript, t: SystemThread): Promise<void> {
  let runs = 0
  for (const action of recordedUserActions(transcript)) {
    switch (action.kind) {
      case 'unsupported':
        throw new Error(`line ${action.line}: ${action.what} is not driven through the API`)
      case 'reopen':
        throw new Error(`line ${action.line}: a new query after the runtime exited (idle release) is not driven through the API`)
      case 'prompt': {
        // The recorded turn before this prompt had ended: wait for its run here too, so the
        // thread sees the same order every replay (never a race between the end and the dispatch).
        if (!action.turnOpen && runs > 0) await t.until(`run ${runs} ends before the next prompt`, (q) => runEnded(q, runs), WAIT_MS)
        await t.quiet()
        const p = t.projection()
        const active = runs > 0 && !runEnded(p, runs)
        if (action.turnOpen && active) {
          await t.until(`run ${runs} starts its turn`, (q) => runStarted(q, runs), WAIT_MS)
          await ok(t.command({ type: 'message.dispatch', text: action.text, dispatchMode: { type: 'steer_active', targetRunId: runOf(p, runs)!.id } }), 'steer')
        } else {
          await ok(t.command({ type: 'message.dispatch', text: action.text, ...(active ? { dispatchMode: { type: 'queue_after_active' } } : {}) }), 'message.dispatch')
          runs++
          await t.until(`run ${runs} is created`, (q) => runOf(q, runs), WAIT_MS)
        }
        break
      }
      case 'interrupt':
        await t.until(`run ${runs} starts its turn`, (q) => runStarted(q, runs), WAIT_MS)
        await ok(t.command({ type: 'run.interrupt', runId: runOf(t.projection(), runs)!.id }), 'run.interrupt')
        break
      case 'answer': {
        const request = await t.until('a runtime request is pending', (q) => q.runtimeRequests.find((r) => r.status === 'pending'), WAIT_MS)
        await ok(t.command({ type: 'runtime-request.respond', requestId: request.id, decision: action.decision }), 'runtime-request.respond')
        break
      }
    }
  }
  for (let n = 1; n <= runs; n++) await t.until(`run ${n} ends`, (q) => runEnded(q, n), WAIT_MS)
}
