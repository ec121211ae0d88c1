/**
 * @module Replays a `codex.app-server` transcript through the real Codex adapter and the thread
 * domain, in a closed loop like the worker and the runner: the driver reads the transcript for
 * what the user did (a message where the recording starts a turn, an interrupt, an answer to an
 * approval) and issues domain commands; the domain's effects go to the adapter session
 * (ProviderSession); the adapter talks to the replay transport instead of `codex app-server`,
 * and its runtime events are ingested by the domain. The result is the thread projection.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { ACTIVE_RUN_STATUSES, type Effect, type RuntimeEvent, type ThreadProjection } from '../../../src/contracts/index.ts'
import { ThreadWorld, type Step } from '../../../src/domain/testing/decider-spec.ts'
import { checkpoint, checkpointId, command, create, linked, THREAD } from '../../../src/domain/testing/steps.ts'
import { toProjection } from '../../../src/domain/thread/index.ts'
import type { ProviderSession, SessionOptions } from '../../adapter.ts'
import { nullLog, type NativeLog } from '../../native-log.ts'
import { ReplayError, type MatchMode, type Transcript } from '../../replay/index.ts'
import { createCodexAdapter } from '../adapter.ts'
import { createCodexReplay, type CodexReplay } from '../replay-transport.ts'
import { nextUserFrame, obj, recordedAnswer, recordedText } from '../replay-user-frames.ts'

export type ReplayWorldResult = {
  projection: ThreadProjection
  world: ThreadWorld
  events: RuntimeEvent[]
  replay: CodexReplay
  /** Why the replay did not pass: a replay error, a stuck driver, a rejected step or a failed effect. */
  problems: string[]
}


/** Options of {@link replayWorld}; `log` receives the native frames as the adapter saw them. */
export type ReplayWorldOptions = { mode: MatchMode; log?: NativeLog }

export async function replayWorld(transcript: Transcript, options: ReplayWorldOptions): Promise<ReplayWorldResult> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'loom-codex-replay-'))
  const replay = createCodexReplay(transcript, { mode: options.mode })
  const adapter = createCodexAdapter({ spawnProcess: () => replay.spawn(), interruptGraceMs: 1_000 })
  const world = new ThreadWorld()
  const events: RuntimeEvent[] = []
  const problems: string[] = []
  let carried = 0
  let effects: Promise<void> = Promise.resolve()
  let session: ProviderSession | null = null
  let commands = 0

  const step = (s: Step, what: string) => {
    const outcome = world.apply(s)
    if (!outcome.ok) problems.push(`${what} rejected: ${outcome.error.code}: ${outcome.error.message}`)
    else if (outcome.dropped) problems.push(`${what} dropped: ${outcome.dropped}`)
    schedule()
  }
  const carry = async (effect: Effect) => {
    const body = effect.body
    if (!session) return
    switch (body.kind) {
      case 'turn.start':
        return session.startTurn(body)
      case 'turn.steer':
        return session.steerTurn(body)
      case 'turn.interrupt':
        return session.interruptTurn(body)
      case 'request.respond':
        return session.respond(body)
      case 'thread.rollback':
        return session.rollback(body)
      case 'session.close':
        return session.close(body.reason)
      default:
        return undefined
    }
  }
  /** Carries out new effects one at a time, in outbox order, like the runner's session host. */
  const schedule = () => {
    for (; carried < world.outbox.length; carried++) {
      const effect = world.outbox[carried]!
      effects = effects.then(() => carry(effect)).catch((error: unknown) => {
        problems.push(`effect ${effect.body.kind} failed: ${error instanceof Error ? error.message : String(error)}`)
      })
    }
  }
  const user = (input: Parameters<typeof command>[0]) => step(command({ ...input, commandId: `cmd-${++commands}` } as Parameters<typeof command>[0]), input.type)
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await replay.idle()
      await effects
    }
  }

  /** A session that cannot open (the replay broke the handshake) is a result, not a crash. */
  const open = (options: SessionOptions): Promise<ProviderSession | null> =>
    adapter.openSession(options).catch((error: unknown) => {
      problems.push(`openSession failed: ${error instanceof Error ? error.message : String(error)}`)
      return null
    })

  try {
    world.must(create({ provider: 'codex' })).must(linked()).must(checkpoint(0))
    session = await open({
      threadId: THREAD,
      cwd: root,
      stateDir: path.join(root, 'state'),
      providerEnv: {},
      emit: (event) => {
        events.push(event)
        step({ runtime: event.at === undefined ? { ...event, at: 1_000 + events.length } : event }, `runtime ${event.type}`)
        // The runner host captures a checkpoint after each turn; rollbacks need them.
        const ordinal = event.type === 'turn.completed' ? world.state.runs.get(event.runId)?.ordinal : undefined
        if (ordinal !== undefined) step(checkpoint(0, ordinal), 'checkpoint.captured')
      },
      delta: () => undefined,
      log: options.log ?? nullLog,
    })
    for (let guard = 0; session !== null && guard < 1_000; guard++) {
      await settle()
      if (replay.failure) break
      const before = replay.cursor.remaining().length
      const next = nextUserFrame(replay.cursor.remaining())
      if (next === null) break
      const { entry, frame } = next
      if (entry.type === 'runtime_exit') {
        await adapter.shutdown()
      } else if (frame.method === 'turn/start') {
        user({ type: 'message.dispatch', text: recordedText(frame) })
      } else if (frame.method === 'turn/steer' || frame.method === 'turn/interrupt') {
        const run = [...world.state.runs.values()].find((r) => ACTIVE_RUN_STATUSES.includes(r.status))
        if (!run) {
          problems.push(`line ${entry.line}: the recording sends ${frame.method}, but no run is running`)
          break
        }
        if (frame.method === 'turn/interrupt') user({ type: 'run.interrupt', runId: run.id } as Parameters<typeof command>[0])
        else user({ type: 'message.dispatch', text: recordedText(frame), dispatchMode: { type: 'steer_active', targetRunId: run.id } } as Parameters<typeof command>[0])
      } else if (frame.method === 'thread/rollback' && typeof obj(frame.params).numTurns === 'number') {
        const kept = [...world.state.runs.values()].filter((r) => r.status === 'completed' || r.status === 'interrupted' || r.status === 'failed')
        const ordinal = kept.length - (obj(frame.params).numTurns as number)
        user({ type: 'checkpoint.rollback', checkpointId: checkpointId(Math.max(0, ordinal)) } as Parameters<typeof command>[0])
      } else if (frame.method === undefined && frame.id !== undefined) {
        const pending = [...world.state.runtimeRequests.values()].find(
          (r) => r.status === 'pending' && r.nativeRequestRef.split('/').includes(String(frame.id)),
        )
        if (!pending) {
          problems.push(`line ${entry.line}: the recording answers server request #${String(frame.id)}, but no such request is pending`)
          break
        }
        user({ type: 'runtime-request.respond', requestId: pending.id, ...recordedAnswer(obj(frame.result)) } as Parameters<typeof command>[0])
      } else {
        problems.push(`line ${entry.line}: the driver cannot cause ${String(frame.method)} (not supported yet)`)
        break
      }
      await settle()
      if (replay.cursor.remaining().length === before && !replay.failure) {
        problems.push(`line ${entry.line}: stuck; the adapter did not send what the recording expects next (${String(frame.method ?? `response #${String(frame.id)}`)})`)
        break
      }
    }
  } finally {
    await adapter.shutdown()
    await settle()
    await rm(root, { recursive: true, force: true })
  }
  try {
    replay.finish()
  } catch (error) {
    if (!(error instanceof ReplayError)) throw error
    // A replay failure explains what follows it; entries left over are the consequence of a stop.
    if (error.kind === 'Incomplete') problems.push(error.message)
    else problems.unshift(error.message)
  }
  return { projection: toProjection(world.state, world.sequence), world, events, replay, problems }
}
