/**
 * @module Drives a `codex.app-server` replay through the worker's API, as
 * runner/codex/testing/replay-world.ts drives the domain: the next outbound frame the user (not
 * the adapter) causes becomes a command: `turn/start` a message, `turn/steer` a steering message,
 * `turn/interrupt` a run interrupt, a response to a server request the recorded answer.
 */
import { ACTIVE_RUN_STATUSES } from '../../src/contracts/index.ts'
import type { CodexReplay } from '../../runner/codex/replay-transport.ts'
import type { SystemThread } from './thread.ts'
import { nextUserFrame, obj, recordedAnswer, recordedText } from '../../runner/codex/replay-user-frames.ts'


const ok = async (sent: Promise<{ status: number; body: unknown }>, what: string): Promise<void> => {
  const reply = await sent
  if (reply.status !== 200) throw new Error(`${what} refused (${reply.status}): ${JSON.stringify(reply.body)}`)
}

/** Plays the user's side until the transcript has none left; throws why it could not. */
export async function driveCodex(replay: CodexReplay, t: SystemThread): Promise<void> {
  const settle = async () => {
    await replay.idle()
    await t.quiet()
    await replay.idle()
  }
  for (let guard = 0; guard < 1000; guard++) {
    await settle()
    if (replay.failure) return
    const before = replay.cursor.remaining().length
    const next = nextUserFrame(replay.cursor.remaining())
    if (next === null || next.entry.type === 'runtime_exit') return
    const { entry, frame } = next
    if (frame.method === 'turn/start') {
      await ok(t.command({ type: 'message.dispatch', text: recordedText(frame) }), 'message.dispatch')
    } else if (frame.method === 'turn/steer' || frame.method === 'turn/interrupt') {
      const run = await t.until(`line ${entry.line}: a running run for ${String(frame.method)}`, (p) => p.runs.find((r) => ACTIVE_RUN_STATUSES.includes(r.status)))
      if (frame.method === 'turn/interrupt') await ok(t.command({ type: 'run.interrupt', runId: run.id }), 'run.interrupt')
      else await ok(t.command({ type: 'message.dispatch', text: recordedText(frame), dispatchMode: { type: 'steer_active', targetRunId: run.id } }), 'steer')
    } else if (frame.method === undefined && frame.id !== undefined) {
      const request = await t.until(`line ${entry.line}: server request #${String(frame.id)} pending`, (p) =>
        p.runtimeRequests.find((r) => r.status === 'pending' && r.nativeRequestRef.split('/').includes(String(frame.id))),
      )
      await ok(t.command({ type: 'runtime-request.respond', requestId: request.id, ...recordedAnswer(obj(frame.result)) }), 'runtime-request.respond')
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
