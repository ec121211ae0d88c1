/**
 * @module Test support for the Claude adapter: a recording SessionOptions (events, deltas and
 * native frames in order), waiting for an event, effect builders, a check that no Claude
 * Code process of a test's state directory is still alive, and the recorded upstream
 * transcripts parsed by the replay core (runner/replay).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Decision, RunAttemptId, RunId, RuntimeEvent, RuntimeMode, InteractionMode, MessageId, RuntimeRequestId, EffectBody } from '../../src/contracts/index.ts'
import type { NativeLog } from '../native-log.ts'
import { parseTranscript, type Transcript } from '../replay/index.ts'
import { upstreamCorpusDir } from '../replay/corpus.ts'
import type { RequestRespond, SessionOptions, TurnInterrupt, TurnStart, TurnSteer } from '../adapter.ts'

export type Frame = { dir: 'out' | 'in' | 'exit'; frame: unknown }

export class Recorder {
  readonly events: RuntimeEvent[] = []
  readonly deltas: Array<{ itemId: string; text: string }> = []
  readonly frames: Frame[] = []
  private readonly waiters = new Set<() => void>()

  readonly log: NativeLog = {
    outbound: (frame) => this.frames.push({ dir: 'out', frame }),
    inbound: (frame) => this.frames.push({ dir: 'in', frame }),
    exit: (status, error) => this.frames.push({ dir: 'exit', frame: { status, error } }),
  }

  options(base: Pick<SessionOptions, 'cwd' | 'stateDir' | 'providerEnv'>): SessionOptions {
    return {
      threadId: 'thread-1',
      ...base,
      emit: (event) => {
        this.events.push(event)
        for (const wake of [...this.waiters]) wake()
      },
      delta: (itemId, text) => this.deltas.push({ itemId, text }),
      log: this.log,
    }
  }

  of<T extends RuntimeEvent['type']>(type: T): Array<Extract<RuntimeEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<RuntimeEvent, { type: T }> => e.type === type)
  }

  /** Resolves with the first event (from index `from`) matching, or rejects after `timeoutMs`. */
  waitFor<T extends RuntimeEvent['type']>(type: T, pred: (e: Extract<RuntimeEvent, { type: T }>) => boolean = () => true, timeoutMs = 20_000, from = 0): Promise<Extract<RuntimeEvent, { type: T }>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.events.slice(from).find((e): e is Extract<RuntimeEvent, { type: T }> => e.type === type && pred(e as Extract<RuntimeEvent, { type: T }>))
        if (!hit) return false
        clearTimeout(timer)
        this.waiters.delete(wake)
        resolve(hit)
        return true
      }
      const wake = () => void check()
      const timer = setTimeout(() => {
        this.waiters.delete(wake)
        reject(new Error(`no ${type} within ${timeoutMs} ms; saw ${this.events.map((e) => e.type).join(', ')}`))
      }, timeoutMs)
      if (!check()) this.waiters.add(wake)
    })
  }
}

let seq = 0

export function turnStart(text: string, opts: { runtimeMode?: RuntimeMode; interactionMode?: InteractionMode; providerThread?: TurnStart['providerThread']; model?: string } = {}): TurnStart {
  seq++
  return {
    kind: 'turn.start',
    runId: `run-${seq}` as RunId,
    attemptId: `run-${seq}:1` as RunAttemptId,
    runOrdinal: seq,
    modelSelection: { provider: 'claude', model: opts.model ?? 'claude-fake-1' },
    runtimeMode: opts.runtimeMode ?? 'approval-required',
    interactionMode: opts.interactionMode ?? 'default',
    message: { messageId: `msg-${seq}` as MessageId, text, attachments: [] },
    providerThread: opts.providerThread ?? null,
    handoffText: null,
    worktreePath: null,
    fork: null,
  }
}

export const steer = (start: TurnStart, text: string): TurnSteer => ({
  kind: 'turn.steer',
  runId: start.runId,
  attemptId: start.attemptId,
  nativeTurnRef: null,
  message: { messageId: `steer-${++seq}` as MessageId, text, attachments: [] },
})

export const interrupt = (start: TurnStart): TurnInterrupt => ({ kind: 'turn.interrupt', runId: start.runId, attemptId: start.attemptId, nativeTurnRef: null })

export const respond = (nativeRequestRef: string, decision: Decision): RequestRespond => ({
  kind: 'request.respond',
  requestId: `req-${nativeRequestRef}` as RuntimeRequestId,
  nativeRequestRef,
  decision,
  answers: null,
})

export const handle = (nativeThreadRef: string, head: string | null = null): NonNullable<Extract<EffectBody, { kind: 'turn.start' }>['providerThread']> => ({
  id: `pt-${nativeThreadRef}` as NonNullable<TurnStart['providerThread']>['id'],
  provider: 'claude',
  nativeThreadRef,
  nativeConversationHeadRef: head,
})

/** Pids of live processes whose environment mentions `marker` (a test's unique state dir). */
export function processesWith(marker: string): number[] {
  const found: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue
    let environ: string
    try {
      environ = readFileSync(`/proc/${name}/environ`, 'latin1')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EACCES' || (error as NodeJS.ErrnoException).code === 'ESRCH') continue
      throw error
    }
    if (environ.includes(marker)) found.push(Number(name))
  }
  return found
}

/** The recorded upstream corpus: `LOOM_UPSTREAM_FIXTURES`, default `../shared/upstream-fixtures`. */
export const UPSTREAM_FIXTURES = upstreamCorpusDir()

/** `<scenario>/claude_transcript.ndjson` of the corpus, parsed; throws when the corpus or the file is absent (tests fail, never skip). */
export function claudeTranscript(scenario: string): Transcript {
  const file = join(UPSTREAM_FIXTURES, scenario, 'claude_transcript.ndjson')
  if (!existsSync(file)) throw new Error(`no recorded transcript ${file} (set LOOM_UPSTREAM_FIXTURES to the upstream corpus)`)
  return parseTranscript(readFileSync(file, 'utf8'), `${scenario}/claude`)
}

/** The inbound frames of a transcript (raw SDK messages and permission requests), in order. */
export const inboundFrames = (transcript: Transcript): Array<Record<string, unknown>> =>
  transcript.entries.flatMap((e) => (e.type === 'emit_inbound' ? [e.frame as Record<string, unknown>] : []))
