/**
 * @module The one interface every provider adapter implements. The runner's session host
 * turns effects from a thread into calls on a `ProviderSession`, and the adapter reports what
 * the provider does as canonical runtime events (src/contracts/runtime-events.ts).
 *
 * An adapter never talks to the worker and never numbers anything: it calls `emit` in the
 * order things happen and `delta` for streaming text; the host batches, sequences, coalesces
 * and resends. Every method either does what it says or throws a typed `AdapterError`: a
 * missing capability is an error, never a silent no-op.
 */
import type {
  EffectBody,
  ProviderCapabilities,
  ProviderFailure,
  ProviderKind,
  ProviderStatus,
  RuntimeEvent,
} from '../src/contracts/index.ts'
import type { NativeLog } from './native-log.ts'

export type TurnStart = Extract<EffectBody, { kind: 'turn.start' }>
export type TurnSteer = Extract<EffectBody, { kind: 'turn.steer' }>
export type TurnInterrupt = Extract<EffectBody, { kind: 'turn.interrupt' }>
export type RequestRespond = Extract<EffectBody, { kind: 'request.respond' }>
export type ThreadRollback = Extract<EffectBody, { kind: 'thread.rollback' }>

/** Where a session lives and how it reports. One session per (app thread, provider). */
export type SessionOptions = {
  threadId: string
  /** The directory the agent works in (the thread's worktree, or the workspace root). */
  cwd: string
  /**
   * A private directory for this provider's state (CODEX_HOME, CLAUDE_CONFIG_DIR, HOME, TMPDIR),
   * the same for every thread of the runner and kept across restarts: resume depends on it.
   */
  stateDir: string
  /** Provider endpoint and credentials; see README "Running against real accounts". */
  providerEnv: Record<string, string>
  /** Reports a canonical runtime event (the `at` field is filled in by the host when absent). */
  emit: (event: RuntimeEvent) => void
  /** Reports streaming text of an item; the host coalesces and sends it as ephemeral deltas. */
  delta: (nativeItemId: string, text: string) => void
  /** Every native frame in and out, in the replay fixture format. */
  log: NativeLog
}

export interface ProviderSession {
  /**
   * Starts (or resumes, when `effect.providerThread` is set) the provider thread and a turn.
   * Resolves once the turn is under way; the turn's end arrives later as `turn.completed`.
   */
  startTurn(effect: TurnStart): Promise<void>
  /** Adds a message to the running turn (native steering). */
  steerTurn(effect: TurnSteer): Promise<void>
  /** Asks the provider to stop; the terminal still arrives as `turn.completed`. */
  interruptTurn(effect: TurnInterrupt): Promise<void>
  /** Answers an approval or a question the provider asked (`request.opened`). */
  respond(effect: RequestRespond): Promise<void>
  /** Reverts the provider conversation to the checkpoint's turn (files are the host's job). */
  rollback(effect: ThreadRollback): Promise<void>
  /** Ends the live process or query; the provider thread stays resumable. */
  close(reason: string): Promise<void>
}

export interface ProviderAdapter {
  readonly provider: ProviderKind
  readonly capabilities: ProviderCapabilities
  /** Installed version, auth state and models; must not throw (report state 'missing'/'error'). */
  status(): Promise<ProviderStatus>
  openSession(options: SessionOptions): Promise<ProviderSession>
  /** Ends processes shared by sessions (the runner calls it last on SIGINT/SIGTERM). */
  shutdown?(): Promise<void>
}

/** A typed failure an adapter throws; the host reports it as `effect.failed`. */
export class AdapterError extends Error {
  readonly failure: ProviderFailure
  constructor(failure: ProviderFailure) {
    super(failure.message)
    this.name = 'AdapterError'
    this.failure = failure
  }
}
