/**
 * @module A replay stand-in for the `codex app-server` process: the process boundary (stdio and
 * exit) of the real adapter, driven by a replay cursor (runner/replay). Every JSONL line the
 * client writes to stdin is matched against the transcript's next `expect_outbound` (strict for
 * our fixtures, compatible for the upstream corpus: JSON-RPC ids remapped); the recorded
 * `emit_inbound` frames then go out on stdout in order, `afterMs` waited on the virtual clock.
 *
 * `runtime_exit`: `error` and `cancelled` end the process by themselves (code 1, SIGTERM) once
 * the frames before them are out; `success` is a clean shutdown, which Codex only does when its
 * stdin closes, so the process exits (code 0) when the client closes it. A new process from the
 * same replay (a restart, a fresh process for resume) continues the transcript after the exit.
 *
 * A mismatch fails loudly: the replay keeps the `ReplayError`, writes expected and actual frames
 * side by side to stderr, and exits with code 1, so the client sees a broken pipe. `finish()`
 * rethrows that error, or reports the recorded entries left (`ReplayIncompleteError`).
 */
import { EventEmitter } from 'node:events'
import { PassThrough, Writable } from 'node:stream'
import {
  createReplayCursor,
  createVirtualClock,
  ReplayError,
  ReplayFrameMismatchError,
  ReplayUnexpectedOutboundError,
  sideBySideFrames,
  type MatchMode,
  type ReplayCursor,
  type Transcript,
  type VirtualClock,
} from '../replay/index.ts'
import { createLineSplitter } from './line-splitter.ts'
import type { CodexProcess } from './rpc-client.ts'

/** Options of {@link createCodexReplay}. */
export type CodexReplayOptions = {
  mode: MatchMode
  /** Default: an auto-advancing virtual clock (every `afterMs` passes at once, virtually). */
  clock?: VirtualClock
  /** Passed to the cursor (compatible mode's equivalence table; default the built-in one). */
  equivalences?: Parameters<typeof createReplayCursor>[1]['equivalences']
}

/** One replay of a `codex.app-server` transcript; `spawn` hands out its processes. */
export type CodexReplay = {
  readonly cursor: ReplayCursor
  /** A new "process" continuing the transcript; give it to `createCodexAdapter({ spawnProcess })`. */
  spawn: () => CodexProcess
  /** The first replay failure (mismatch, unexpected frame, write after exit), if any. */
  readonly failure: ReplayError | null
  /** How many processes `spawn` has handed out. */
  readonly processes: number
  /** Resolves once nothing moves: no frame being replayed, the client done reacting. */
  idle: () => Promise<void>
  /** Throws the first failure, else `ReplayIncompleteError` when recorded entries are left. */
  finish: () => void
}

/** Explains a replay failure with the expected and actual frames side by side. */
export const explainReplayError = (error: ReplayError): string => {
  if (error instanceof ReplayFrameMismatchError) return `${error.message}\n${sideBySideFrames(error.expected, error.actual)}`
  if (error instanceof ReplayUnexpectedOutboundError) {
    const expected = error.expected && error.expected.type !== 'runtime_exit' ? error.expected.frame : error.expected
    return `${error.message}\n${sideBySideFrames(expected ?? null, error.actual)}`
  }
  return error.message
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

export function createCodexReplay(transcript: Transcript, options: CodexReplayOptions): CodexReplay {
  if (transcript.header.protocol !== 'codex.app-server') throw new Error(`codex replay: ${transcript.name} is a ${transcript.header.protocol} transcript`)
  const clock = options.clock ?? createVirtualClock({ auto: true })
  const cursor = createReplayCursor(transcript, { mode: options.mode, clock, ...(options.equivalences ? { equivalences: options.equivalences } : {}) })
  let failure: ReplayError | null = null
  let processes = 0
  /** Bumped by every frame in or out; idle() waits for it to stand still. */
  let activity = 0
  let pumping = 0

  const spawn = (): CodexProcess => {
    processes++
    const child = new ReplayProcess()
    const fail = (error: unknown) => {
      const replayError = error instanceof ReplayError ? error : new ReplayError('UnexpectedOutbound', error instanceof Error ? error.message : String(error))
      failure ??= replayError
      child.stderr.write(`${explainReplayError(replayError)}\n`)
      child.exit(1, null)
    }
    const pump = async () => {
      pumping++
      try {
        for await (const { frame } of cursor.drainInbound()) {
          if (child.ended) return
          activity++
          child.stdout.write(`${JSON.stringify(frame)}\n`)
        }
        const exit = cursor.peek()
        if (exit?.type !== 'runtime_exit' || exit.status === 'success' || child.ended) return
        cursor.takeExit()
        activity++
        if (exit.status === 'error') child.stderr.write(`replay: recorded runtime error${exit.error ? `: ${exit.error}` : ''}\n`)
        child.exit(exit.status === 'error' ? 1 : null, exit.status === 'cancelled' ? 'SIGTERM' : null)
      } catch (error) {
        fail(error)
      } finally {
        pumping--
      }
    }
    const lines = createLineSplitter((line) => {
      if (child.ended || line.trim() === '') return
      activity++
      let frame: unknown
      try {
        frame = JSON.parse(line)
        cursor.expectOutbound(frame)
      } catch (error) {
        return fail(error)
      }
      void pump()
    })
    child.stdin.on('data', (chunk: Buffer) => lines.push(chunk))
    child.stdin.on('finish', () => {
      lines.end()
      if (child.ended) return
      // The client closed stdin: a clean exit, the recorded one when the cursor stands at it.
      const exit = cursor.peek()?.type === 'runtime_exit' ? cursor.takeExit() : undefined
      activity++
      child.exit(exit && exit.status !== 'success' ? 1 : 0, null)
    })
    queueMicrotask(() => void pump())
    return child
  }

  return {
    cursor,
    spawn,
    get failure() {
      return failure
    },
    get processes() {
      return processes
    },
    async idle() {
      for (let seen = -1; seen !== activity || pumping > 0; ) {
        seen = activity
        for (let i = 0; i < 5; i++) await tick()
      }
    },
    finish() {
      if (failure) throw failure
      cursor.assertComplete()
    },
  }
}

/** The child-process shape the RPC client uses: stdin it writes, stdout / stderr it reads, `exit`. */
class ReplayProcess extends EventEmitter {
  readonly stdin: Writable
  readonly stdout = new PassThrough()
  readonly stderr = new PassThrough()
  readonly signals: string[] = []
  ended = false

  constructor() {
    super()
    this.stdin = new PassThrough()
  }

  exit(code: number | null, signal: string | null): void {
    if (this.ended) return
    this.ended = true
    this.stdout.end()
    this.stderr.end()
    // After the streams: the client waits for stdout's end before it settles the exit.
    setImmediate(() => this.emit('exit', code, signal))
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    this.signals.push(signal)
    this.exit(null, signal)
    return true
  }
}
