/**
 * @module Drives a `codex.app-server` replay through the worker's API, as
 * runner/codex/testing/replay-world.ts drives the domain: the next outbound frame the user (not
 * the adapter) causes becomes a command: `turn/start` a message on the thread of its Codex
 * thread, `turn/steer` a steering message, `turn/interrupt` a run interrupt, a response to a
 * server request the recorded answer, an app-server restart (a `runtime_exit` with more to come)
 * an idle release, `thread/fork` a `thread.fork` of the thread it forks (at the run whose turn a
 * recorded rollback of the fork keeps, else at the latest run; the adapter then sends the fork
 * itself when the fork's first run starts), a merge-back turn (the recording's client sent the
 * handoff as a turn) a `thread.merge_back` of the next fork, `thread/rollback {numTurns}` a
 * `checkpoint.rollback` to the checkpoint of the last run kept (a git workspace).
 */
import { ACTIVE_RUN_STATUSES, type ThreadProjection } from '../../src/contracts/index.ts'
import type { CodexReplay } from '../../runner/codex/replay-transport.ts'
import { RECORDED_MERGE_BACK, type TranscriptEntry } from '../../runner/replay/index.ts'
import { idleReleased } from './idle-release.ts'
import type { SystemThread } from './thread.ts'
import { nextUserFrame, obj, recordedAnswer, recordedText, type Obj } from '../../runner/codex/replay-user-frames.ts'

const ok = async (sent: Promise<{ status: number; body: unknown }>, what: string): Promise<void> => {
  const reply = await sent
  if (reply.status !== 200) throw new Error(`${what} refused (${reply.status}): ${JSON.stringify(reply.body)}`)
}

const settled = (p: ThreadProjection): boolean => p.runs.every((r) => !ACTIVE_RUN_STATUSES.includes(r.status))
const frameOf = (e: TranscriptEntry | undefined): Obj => obj(e && e.type !== 'runtime_exit' ? e.frame : undefined)

/** The run of `p` whose Codex turn is `nativeTurnId`. */
const runOfTurn = (p: ThreadProjection, nativeTurnId: string) => {
  const turn = p.providerTurns.find((t) => t.nativeTurnRef === nativeTurnId)
  const attempt = turn && p.attempts.find((a) => a.providerTurnId === turn.id)
  return attempt && p.runs.find((r) => r.id === attempt.runId)
}

/** The ready checkpoint taken after the run `numTurns` runs back (the last run kept). */
export const checkpointBefore = (p: ThreadProjection, numTurns: number, line: number): string => {
  const kept = [...p.runs].filter((r) => r.status !== 'rolled_back').sort((a, b) => a.ordinal - b.ordinal)
  const anchor = kept[kept.length - 1 - numTurns]
  const checkpoint = anchor && p.checkpoints.find((c) => c.appRunOrdinal === anchor.ordinal && c.status === 'ready')
  if (!checkpoint) throw new Error(`line ${line}: no ready checkpoint after run ${anchor?.ordinal ?? '(none)'} to roll ${numTurns} run(s) back to; checkpoints: ${JSON.stringify(p.checkpoints.map((c) => [c.appRunOrdinal, c.status]))}`)
  return checkpoint.id
}

/** Waits until every run of `x` ended, at most `timeoutMs`, or until its stream brought nothing new for `stallMs`. */
const endsOrStalls = async (x: SystemThread, timeoutMs: number, stallMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  let seen = x.events.length
  let movedAt = Date.now()
  while (!settled(x.projection()) && Date.now() < deadline && Date.now() - movedAt < stallMs) {
    await new Promise((r) => setTimeout(r, 20))
    if (x.events.length !== seen) [seen, movedAt] = [x.events.length, Date.now()]
  }
}

/** Plays the user's side until the transcript has none left; throws why it could not. */
export async function driveCodex(replay: CodexReplay, t: SystemThread, forks: SystemThread[] = []): Promise<void> {
  const all = () => [t, ...forks]
  /** The transcript stands still and the streams are quiet; when the transcript moved meanwhile, again. */
  const settle = async () => {
    for (let moved = true; moved; ) {
      await replay.idle()
      const left = replay.cursor.remaining().length
      await Promise.all(all().map((x) => x.quiet()))
      await replay.idle()
      moved = replay.cursor.remaining().length !== left
    }
  }
  /** Recorded frames the adapter sends by itself later (a fork at its first run, the rollback it stands for). */
  const adapterLines = new Set<number>()
  let merges = 0
  const byNative = new Map<string, SystemThread>()
  const threadOf = (nativeThreadId: unknown): SystemThread => {
    const known = byNative.get(String(nativeThreadId))
    if (known) return known
    return all().find((x) => x.projection().providerThreads.some((pt) => pt.nativeThreadRef === nativeThreadId)) ?? t
  }
  const fork = async (entry: TranscriptEntry, frame: Obj): Promise<void> => {
    const source = threadOf(obj(frame.params).threadId)
    const rest = replay.cursor.remaining()
    const response = rest.find((e) => e.type === 'emit_inbound' && frameOf(e).id === frame.id && frameOf(e).method === undefined)
    const forked = obj(obj(frameOf(response).result).thread)
    if (typeof forked.id !== 'string') throw new Error(`line ${entry.line}: no recorded response to thread/fork #${String(frame.id)}`)
    // A rollback of the new thread right after the fork: the fork really starts at the turn it keeps.
    const after = rest.slice(rest.indexOf(entry) + 1).filter((e) => e.type === 'expect_outbound')
    const rollback = after.find((e, i) => frameOf(e).method === 'thread/rollback' && obj(frameOf(e).params).threadId === forked.id && after.slice(0, i).every((x) => frameOf(x).method !== 'turn/start'))
    let sourcePoint: Record<string, unknown> = { type: 'latest_stable' }
    if (rollback) {
      const turns = (Array.isArray(forked.turns) ? forked.turns : []).map((x) => String(obj(x).id))
      const kept = turns[turns.length - 1 - Number(obj(frameOf(rollback).params).numTurns)]
      const run = kept === undefined ? undefined : runOfTurn(source.projection(), kept)
      if (!run) throw new Error(`line ${rollback.line}: no run of ${source.threadId} for the turn the recorded rollback keeps (${String(kept)})`)
      sourcePoint = { type: 'run', runId: run.id }
      adapterLines.add(rollback.line)
    }
    await source.until(`line ${entry.line}: the runs of ${source.threadId} end before the fork`, (p) => settled(p))
    const target = await source.fork(`${source.threadId}.fork-${forks.length + 1}`, sourcePoint)
    forks.push(target)
    byNative.set(forked.id, target)
    adapterLines.add(entry.line)
  }

  for (let guard = 0; guard < 1000; guard++) {
    await settle()
    if (replay.failure) return
    const before = replay.cursor.remaining().length
    const next = nextUserFrame(replay.cursor.remaining().filter((e) => !adapterLines.has(e.line)))
    if (next?.entry.type === 'runtime_exit' && nextUserFrame(replay.cursor.remaining().slice(1)) !== null) {
      // The recording restarts the app-server and goes on in a fresh process: Loom does so after an idle release.
      await t.until('every run ends before the idle release', settled, 5000)
      const released = await t.until('an idle release', idleReleased, 4000).catch(() => false)
      if (!released) throw new Error(`line ${next.entry.line}: the recording restarts the app-server; that needs an idle release, none within 4000 ms`)
      const deadline = Date.now() + 5000
      while (replay.cursor.remaining().length >= before && !replay.failure && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      if (replay.cursor.remaining().length >= before && !replay.failure) throw new Error(`line ${next.entry.line}: stuck; the app-server was not stopped after the idle release`)
      continue
    }
    if (next === null || next.entry.type === 'runtime_exit') {
      // The recording's last turn ends by itself: let the runs settle however slow the system is (a run still open is reported by the invariants),
      // but a run that nothing has moved for a second will not end: the transcript has nothing left to emit.
      for (const x of all()) await endsOrStalls(x, 3000, 1000)
      return
    }
    const { entry, frame } = next
    const on = threadOf(obj(frame.params).threadId)
    if (frame.method === 'thread/fork') {
      await fork(entry, frame)
      continue
    } else if (frame.method === 'turn/start' && recordedText(frame).startsWith(RECORDED_MERGE_BACK)) {
      // The recording's client merged a fork back as a turn of its own; Loom's merge-back puts the
      // handoff into the next run's turn/start (the merge-back-turn-to-handoff-input equivalence).
      const from = forks[merges++]
      if (!from) throw new Error(`line ${entry.line}: a merge-back with no fork to merge from`)
      const sourceId = from.projection().thread?.lineage.parentThreadId ?? t.threadId
      await from.until(`line ${entry.line}: the runs of ${from.threadId} end before the merge-back`, settled)
      await ok(from.command({ type: 'thread.merge_back', targetThreadId: sourceId }), 'thread.merge_back')
      const target = all().find((x) => x.threadId === sourceId) ?? t
      await target.until(`line ${entry.line}: the merge-back reaches ${target.threadId}`, (p) => p.contextTransfers.some((c) => c.type === 'merge_back' && c.sourceThreadId === from.threadId))
      adapterLines.add(entry.line)
      continue
    } else if (frame.method === 'thread/rollback') {
      // Roll back numTurns runs: to the checkpoint of the run before them (the adapter sends thread/revert, rollback-to-revert).
      await on.until(`line ${entry.line}: the runs of ${on.threadId} end before the rollback`, settled)
      await ok(on.command({ type: 'checkpoint.rollback', checkpointId: checkpointBefore(on.projection(), Number(obj(frame.params).numTurns), entry.line) }), 'checkpoint.rollback')
    } else if (frame.method === 'turn/start') {
      await ok(on.command({ type: 'message.dispatch', text: recordedText(frame) }), 'message.dispatch')
    } else if (frame.method === 'turn/steer' || frame.method === 'turn/interrupt') {
      const run = await on.until(`line ${entry.line}: a running run for ${String(frame.method)}`, (p) => p.runs.find((r) => ACTIVE_RUN_STATUSES.includes(r.status)))
      if (frame.method === 'turn/interrupt') await ok(on.command({ type: 'run.interrupt', runId: run.id }), 'run.interrupt')
      else await ok(on.command({ type: 'message.dispatch', text: recordedText(frame), dispatchMode: { type: 'steer_active', targetRunId: run.id } }), 'steer')
    } else if (frame.method === undefined && frame.id !== undefined) {
      const pending = (x: SystemThread) => x.projection().runtimeRequests.find((r) => r.status === 'pending' && r.nativeRequestRef.split('/').includes(String(frame.id)))
      const asked = await t.until(`line ${entry.line}: server request #${String(frame.id)} pending`, () => all().find((x) => pending(x)))
      await ok(asked.command({ type: 'runtime-request.respond', requestId: pending(asked)!.id, ...recordedAnswer(obj(frame.result)) }), 'runtime-request.respond')
    } else {
      throw new Error(`line ${entry.line}: the replay cannot cause ${String(frame.method)} through the API (not supported)`)
    }
    const deadline = Date.now() + 5000
    while (replay.cursor.remaining().length >= before && !replay.failure && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    if (replay.cursor.remaining().length >= before && !replay.failure) {
      throw new Error(`line ${entry.line}: stuck; the adapter did not send what the recording expects next (${String(frame.method ?? `response #${String(frame.id)}`)})`)
    }
  }
}
