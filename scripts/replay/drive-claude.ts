/**
 * @module Drives a `claude-agent-sdk.query` replay through the worker's API, as
 * runner/claude/replay-driver.ts drives the domain: each recorded `prompt.offer` becomes a
 * message (steering while the recorded turn is still open, queued behind a run still active),
 * `query.interrupt` a run interrupt, `permission.response` the recorded decision on the pending
 * runtime request. Forks, rollbacks and idle releases cannot be caused through the API here.
 */
import type { ThreadProjection } from '../../src/contracts/index.ts'
import { recordedPrompts } from '../../runner/claude/replay-projection.ts'
import type { Transcript } from '../../runner/replay/index.ts'
import type { SystemThread } from './thread.ts'

type Obj = Record<string, unknown>
const rec = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {})

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
  const prompts = recordedPrompts(transcript)
  let runs = 0
  let prompted = 0
  let turnOpen = false
  let exited = false
  let opened = 0
  for (const entry of transcript.entries) {
    if (entry.type === 'runtime_exit') {
      exited = true
      continue
    }
    const frame = rec(entry.frame)
    if (entry.type === 'emit_inbound') {
      if (frame.type === 'result' && frame.parent_tool_use_id == null) turnOpen = false
      continue
    }
    switch (frame.type) {
      case 'query.open': {
        const options = rec(frame.options)
        if (options.resumeSessionAt !== undefined || options.forkSession === true) throw new Error(`line ${entry.line}: rollback / fork is not driven through the API`)
        if (opened++ > 0 && exited) throw new Error(`line ${entry.line}: a new query after the runtime exited (idle release) is not driven through the API`)
        exited = false
        break
      }
      case 'prompt.offer': {
        const text = prompts[prompted++]!
        // The recorded turn before this prompt had ended: wait for its run here too, so the
        // thread sees the same order every replay (never a race between the end and the dispatch).
        if (!turnOpen && runs > 0) await t.until(`run ${runs} ends before the next prompt`, (q) => runEnded(q, runs), WAIT_MS)
        await t.quiet()
        const p = t.projection()
        const active = runs > 0 && !runEnded(p, runs)
        if (turnOpen && active) {
          await t.until(`run ${runs} starts its turn`, (q) => runStarted(q, runs), WAIT_MS)
          await ok(t.command({ type: 'message.dispatch', text, dispatchMode: { type: 'steer_active', targetRunId: runOf(p, runs)!.id } }), 'steer')
        } else {
          await ok(t.command({ type: 'message.dispatch', text, ...(active ? { dispatchMode: { type: 'queue_after_active' } } : {}) }), 'message.dispatch')
          runs++
          await t.until(`run ${runs} is created`, (q) => runOf(q, runs), WAIT_MS)
        }
        turnOpen = true
        break
      }
      case 'query.interrupt': {
        await t.until(`run ${runs} starts its turn`, (q) => runStarted(q, runs), WAIT_MS)
        await ok(t.command({ type: 'run.interrupt', runId: runOf(t.projection(), runs)!.id }), 'run.interrupt')
        break
      }
      case 'permission.response': {
        const request = await t.until('a runtime request is pending', (q) => q.runtimeRequests.find((r) => r.status === 'pending'), WAIT_MS)
        const decision = rec(frame.result).behavior === 'allow' ? 'accept' : 'decline'
        await ok(t.command({ type: 'runtime-request.respond', requestId: request.id, decision }), 'runtime-request.respond')
        break
      }
      default:
        throw new Error(`line ${entry.line}: ${String(frame.type)} is not driven through the API`)
    }
  }
  for (let n = 1; n <= runs; n++) await t.until(`run ${n} ends`, (q) => runEnded(q, n), WAIT_MS)
}
