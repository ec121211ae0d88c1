/**
 * @module Drives a `claude-agent-sdk.query` replay through the worker's API, as
 * runner/claude/replay-driver.ts drives the domain: each recorded `prompt.offer` becomes a
 * message (steering while the recorded turn is still open, queued behind a run still active),
 * `query.interrupt` a run interrupt, `permission.response` the recorded decision on the pending
 * runtime request, a new query after the runtime exited an idle release (the worker's, on a
 * short LOOM_IDLE_SECONDS); an interrupt followed by a new query and prompt is a restart of the
 * run (`restart_active`: Loom interrupts, reopens resuming, attempt 2). `session.fork` is a
 * `thread.fork` of the thread whose session it forks (at the run whose conversation head is the
 * recorded `upToMessageId`); prompts then go to the thread whose session the last query resumed.
 * A merge-back prompt (the recording's client sent the handoff as a turn) is a
 * `thread.merge_back` of the next fork; a query reopened at `resumeSessionAt` without a fork is a
 * `checkpoint.rollback` to the checkpoint of the run ending there (a git workspace).
 */
import { TERMINAL_RUN_STATUSES, type ThreadProjection } from '../../src/contracts/index.ts'
import { recordedUserActions } from '../../runner/claude/replay-user-actions.ts'
import { RECORDED_MERGE_BACK, type Transcript } from '../../runner/replay/index.ts'
import { idleReleased } from './idle-release.ts'
import type { SystemThread } from './thread.ts'

const TERMINAL = new Set<string>(TERMINAL_RUN_STATUSES)
const WAIT_MS = 5000
const IDLE_WAIT_MS = 4000

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {})

const runOf = (p: ThreadProjection, n: number) => [...p.runs].sort((a, b) => a.ordinal - b.ordinal)[n - 1]
const runEnded = (p: ThreadProjection, n: number): boolean => TERMINAL.has(runOf(p, n)?.status ?? '')
const runStarted = (p: ThreadProjection, n: number): boolean => {
  const run = runOf(p, n)
  return run?.activeAttemptId != null && p.attempts.find((a) => a.id === run.activeAttemptId)?.providerTurnId != null
}
const allEnded = (p: ThreadProjection): boolean => p.runs.every((r) => TERMINAL.has(r.status))

const ok = async (sent: Promise<{ status: number; body: unknown }>, what: string): Promise<void> => {
  const reply = await sent
  if (reply.status !== 200) throw new Error(`${what} refused (${reply.status}): ${JSON.stringify(reply.body)}`)
}

/** The run of `p` whose turn ended at conversation head `head` (a Claude message uuid). */
const runAtHead = (p: ThreadProjection, head: unknown) => {
  const turn = p.providerTurns.find((t) => t.conversationHeadRef === head)
  const attempt = turn && p.attempts.find((a) => a.providerTurnId === turn.id)
  return attempt && p.runs.find((r) => r.id === attempt.runId)
}

/** Plays the user's side of `transcript`; throws why it could not. */
export async function driveClaude(transcript: Transcript, t: SystemThread, forks: SystemThread[] = []): Promise<void> {
  const frameAt = (line: number): Obj => {
    const entry = transcript.entries.find((e) => e.line === line)
    return obj(entry && entry.type !== 'runtime_exit' ? entry.frame : undefined)
  }
  const all = () => [t, ...forks]
  /** Recorded session id -> the thread whose conversation it is. */
  const sessions = new Map<string, SystemThread>()
  const firstOpen = transcript.entries.find((e) => e.type === 'expect_outbound' && obj(e.frame).type === 'query.open')
  const sourceSession = obj(obj(firstOpen?.type === 'expect_outbound' ? firstOpen.frame : undefined).options).sessionId
  if (typeof sourceSession === 'string') sessions.set(sourceSession, t)
  const runCounts = new Map<SystemThread, number>()
  let current = t
  let merges = 0
  const runsOf = (x: SystemThread) => runCounts.get(x) ?? 0
  // Before giving up, let the runs so far end, so the thread is the same however fast the system was.
  const stop = async (why: string): Promise<never> => {
    for (const x of all()) await x.until('every run ends', allEnded, WAIT_MS).catch(() => undefined)
    throw new Error(why)
  }
  const released = async (x: SystemThread, line: number): Promise<void> => {
    await x.until(`the runs of ${x.threadId} end before the idle release`, allEnded, WAIT_MS)
    const done = await x.until('an idle release', idleReleased, IDLE_WAIT_MS).catch(() => false)
    if (!done) await stop(`line ${line}: a new query after the runtime exited needs an idle release, none within ${IDLE_WAIT_MS} ms`)
  }

  const actions = recordedUserActions(transcript)
  for (let i = 0; i < actions.length; i++) {
    const action = actions[i]!
    const runs = runsOf(current)
    switch (action.kind) {
      case 'unsupported': {
        const frame = frameAt(action.line)
        const options = obj(frame.options)
        if (frame.type === 'query.open' && options.resumeSessionAt !== undefined && options.forkSession !== true) {
          // A rollback: the recording reopened its session at the head of the last turn kept.
          const on = sessions.get(String(options.resume)) ?? current
          await on.until(`line ${action.line}: the runs of ${on.threadId} end before the rollback`, allEnded, WAIT_MS)
          const anchor = runAtHead(on.projection(), options.resumeSessionAt)
          const checkpoint = anchor && on.projection().checkpoints.find((c) => c.appRunOrdinal === anchor.ordinal && c.status === 'ready')
          if (!checkpoint) return stop(`line ${action.line}: no ready checkpoint of the run ending at ${String(options.resumeSessionAt)} to roll back to`)
          await ok(on.command({ type: 'checkpoint.rollback', checkpointId: checkpoint.id }), 'checkpoint.rollback')
          await on.until(`line ${action.line}: the rollback lands`, (p) => p.runs.some((r) => r.status === 'rolled_back'), WAIT_MS)
          current = on
          break
        }
        if (frame.type !== 'session.fork') return stop(`line ${action.line}: ${action.what} is not driven through the API`)
        const source = sessions.get(String(frame.sessionId)) ?? t
        // The recording ended the source's query before forking it: here the source's session is released first.
        await released(source, action.line)
        const upTo = obj(frame.options).upToMessageId
        const run = upTo === undefined ? undefined : runAtHead(source.projection(), upTo)
        const fork = await source.fork(`${source.threadId}.fork-${forks.length + 1}`, run ? { type: 'run', runId: run.id } : { type: 'latest_stable' })
        forks.push(fork)
        const forked = transcript.entries.find((e) => e.line > action.line && e.type === 'emit_inbound' && obj(e.frame).type === 'session.forked')
        const forkedId = obj(forked?.type === 'emit_inbound' ? forked.frame : undefined).sessionId
        if (typeof forkedId !== 'string') return stop(`line ${action.line}: session.fork is not answered by session.forked`)
        sessions.set(forkedId, fork)
        break
      }
      case 'reopen': {
        // The recording ended the query and opened a new one resuming a session: Loom does so after an idle release.
        const target = sessions.get(String(obj(frameAt(action.line).options).resume)) ?? current
        if (runs > 0 && !idleReleased(current.projection())) await released(current, action.line)
        current = target
        break
      }
      case 'prompt': {
        if (action.text.startsWith(RECORDED_MERGE_BACK)) {
          // The recording's client merged a fork back as a turn of its own; Loom's merge-back puts the
          // handoff into the next run's prompt (the merge-back-prompt-to-handoff-input equivalence).
          const from = forks[merges++]
          if (!from) return stop(`line ${action.line}: a merge-back with no fork to merge from`)
          await from.until(`line ${action.line}: the runs of ${from.threadId} end before the merge-back`, allEnded, WAIT_MS)
          await ok(from.command({ type: 'thread.merge_back', targetThreadId: current.threadId }), 'thread.merge_back')
          await current.until(`line ${action.line}: the merge-back reaches ${current.threadId}`, (p) => p.contextTransfers.some((c) => c.type === 'merge_back' && c.sourceThreadId === from.threadId), WAIT_MS)
          // The handoff turn's answer is dropped with it: the next prompt follows it as if it had ended.
          const next = actions[i + 1]
          if (next?.kind === 'prompt') actions[i + 1] = { ...next, turnOpen: false }
          break
        }
        // The recorded turn before this prompt had ended: wait for its run here too, so the
        // thread sees the same order every replay (never a race between the end and the dispatch).
        if (!action.turnOpen && runs > 0) await current.until(`run ${runs} ends before the next prompt`, (q) => runEnded(q, runs), WAIT_MS)
        await current.quiet()
        const p = current.projection()
        const active = runs > 0 && !runEnded(p, runs)
        if (action.turnOpen && active) {
          await current.until(`run ${runs} starts its turn`, (q) => runStarted(q, runs), WAIT_MS)
          await ok(current.command({ type: 'message.dispatch', text: action.text, dispatchMode: { type: 'steer_active', targetRunId: runOf(p, runs)!.id } }), 'steer')
        } else {
          await ok(current.command({ type: 'message.dispatch', text: action.text, ...(active ? { dispatchMode: { type: 'queue_after_active' } } : {}) }), 'message.dispatch')
          runCounts.set(current, runs + 1)
          await current.until(`run ${runs + 1} is created`, (q) => runOf(q, runs + 1), WAIT_MS)
        }
        break
      }
      case 'interrupt': {
        await current.until(`run ${runs} starts its turn`, (q) => runStarted(q, runs), WAIT_MS)
        const [reopen, restart] = [actions[i + 1], actions[i + 2]]
        if (reopen?.kind === 'reopen' && restart?.kind === 'prompt') {
          await ok(current.command({ type: 'message.dispatch', text: restart.text, dispatchMode: { type: 'restart_active', targetRunId: runOf(current.projection(), runs)!.id } }), 'restart')
          i += 2
          break
        }
        await ok(current.command({ type: 'run.interrupt', runId: runOf(current.projection(), runs)!.id }), 'run.interrupt')
        break
      }
      case 'answer': {
        const request = await current.until('a runtime request is pending', (q) => q.runtimeRequests.find((r) => r.status === 'pending'), WAIT_MS)
        const answer = 'answers' in action ? { answers: action.answers } : { decision: action.decision }
        await ok(current.command({ type: 'runtime-request.respond', requestId: request.id, ...answer }), 'runtime-request.respond')
        break
      }
    }
  }
  for (const x of all()) {
    const n = runsOf(x)
    for (let k = 1; k <= n; k++) await x.until(`run ${k} of ${x.threadId} ends`, (q) => runEnded(q, k), WAIT_MS)
  }
}
