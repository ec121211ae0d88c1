/**
 * @module What the soak records: every command attempt the clients made, every event each
 * subscriber saw, the final log, projection and shell of every thread, and what each runner
 * kill left behind. The checker reads only this.
 */
import type { StoredEvent, ThreadProjection, ThreadShell } from '../../src/contracts/index.ts'

/** One HTTP attempt of a command: `status` null when no answer came (socket dropped, worker down). */
export type CommandAttempt = { status: number | null; sequence: number | null; code: string | null }

export type CommandRecord = { commandId: string; threadId: string; type: string; attempts: CommandAttempt[] }

export type SeenEvent = { sequence: number; eventId: string }

/**
 * One socket's subscription: `from` is the first sequence it must deliver (the snapshot's
 * sequence + 1, or `afterSequence` + 1 on a resume); `resumes` says it continued the session
 * before it (same subscriber, after that session's last event).
 */
export type SubscriberSession = { from: number; resumes: boolean; events: SeenEvent[]; liveAtEnd: boolean }

export type SubscriberRecord = { id: string; threadId: string; sessions: SubscriberSession[] }

export type ThreadFinal = {
  threadId: string
  workspaceId: string
  events: StoredEvent[]
  projection: ThreadProjection
  /** The workspace shell's summary of this thread, null if the shell lacks it. */
  shell: ThreadShell | null
}

/** A runner SIGKILL: the provider processes it had, and those still alive after the grace time. */
export type RunnerKill = { workspaceId: string; pid: number; providers: number; survivors: string[] }

/** When the harness stopped injecting, and how long until every run was terminal (null: never within `boundMs`). */
export type Settle = { boundMs: number; settledMs: number | null }

export type SoakRecord = {
  commands: CommandRecord[]
  subscribers: SubscriberRecord[]
  threads: ThreadFinal[]
  runnerKills: RunnerKill[]
  settle: Settle
  /** Workspaces whose runner was connected when the record was taken (a live answerer). */
  liveRunners: string[]
}
