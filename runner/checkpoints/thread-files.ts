/**
 * @module The session host's file side of one thread: where a turn runs (its worktree, or a
 * path the thread names), the baseline before and the checkpoint after each run reported as
 * runtime events, diffs sent on, and the files restored for a rollback. Git failures become
 * typed host errors; a deleted thread's worktree and refs are removed.
 */
import { RuntimeEvent, type Effect } from '../../src/contracts/index.ts'
import type { Logger } from '../console-log.ts'
import { hostError } from '../sessions/failure-of.ts'
import { CheckpointError, type DiffText, type ThreadCheckpoints } from './thread-checkpoints.ts'

type TurnStart = Extract<Effect['body'], { kind: 'turn.start' }>

export type ThreadFilesOptions = {
  threadId: string
  checkpoints: ThreadCheckpoints
  sendDiff: (diff: DiffText) => void
  /** Forgets the diffs not yet sent (the thread was deleted: no one will read them). */
  dropDiffs?: () => void
  /** Sends a host event on the link, in order with the session's events. */
  report: (event: RuntimeEvent) => void
  log: Logger
}

export class ThreadFiles {
  private readonly options: ThreadFilesOptions
  private featuresSent: 'available' | 'unavailable' | null = null

  constructor(options: ThreadFilesOptions) {
    this.options = options
  }

  /** Where the turn runs, and whether a checkpoint follows it. A path the thread names is used as it is, without checkpoints. */
  async beforeRun(body: TurnStart): Promise<{ cwd: string | null; checkpointed: boolean }> {
    if (body.worktreePath !== null) {
      this.reportFeatures('unavailable')
      return { cwd: body.worktreePath, checkpointed: false }
    }
    const before = await this.options.checkpoints.beforeRun(body.runOrdinal, body.fork?.checkpointRef ?? null).catch((cause: unknown) => {
      throw hostError(`the thread's worktree could not be prepared: ${cause instanceof Error ? cause.message : String(cause)}`, 'worktree_failed')
    })
    this.reportFeatures(before.checkpoints)
    if (before.captured) this.options.report(RuntimeEvent.parse({ type: 'checkpoint.captured', at: Date.now(), ...before.captured }))
    return { cwd: before.cwd, checkpointed: before.checkpoints === 'available' }
  }

  /** Captures run `ordinal`'s checkpoint and sends its diffs; a failure is logged, never thrown (the run's end must not wait on it). */
  async afterRun(runId: string, ordinal: number): Promise<void> {
    const { checkpoints, report, sendDiff, log, threadId } = this.options
    try {
      const after = await checkpoints.afterRun(runId, ordinal)
      if (!after) return
      report(RuntimeEvent.parse({ type: 'checkpoint.captured', at: Date.now(), ...after.captured }))
      for (const diff of after.diffs) sendDiff(diff)
    } catch (cause) {
      log.warn('checkpoint capture failed', { threadId, runId, cause: String(cause) })
    }
  }

  /** A rollback's file half (again on a redelivery, with the same result); resolves with where turns run. */
  async restore(ref: string): Promise<string> {
    try {
      await this.options.checkpoints.rollback(ref)
      return await this.options.checkpoints.where()
    } catch (cause) {
      if (cause instanceof CheckpointError) throw hostError(cause.message, cause.code)
      throw hostError(`the files could not be rolled back: ${cause instanceof Error ? cause.message : String(cause)}`, 'rollback_failed')
    }
  }

  /** The thread was deleted: its worktree, refs and unsent diffs go. A failure is logged: the thread is gone either way. */
  async remove(): Promise<void> {
    const { checkpoints, log, threadId, dropDiffs } = this.options
    try {
      dropDiffs?.()
      const removed = await checkpoints.remove()
      if (removed) log.info('removed the deleted thread\'s worktree and refs', { threadId, worktree: removed.worktree, refs: removed.refs.length })
    } catch (cause) {
      log.warn('could not remove the deleted thread\'s worktree and refs', { threadId, cause: String(cause) })
    }
  }

  private reportFeatures(checkpoints: 'available' | 'unavailable'): void {
    if (this.featuresSent === checkpoints) return
    this.featuresSent = checkpoints
    this.options.report(RuntimeEvent.parse({ type: 'workspace.features', at: Date.now(), checkpoints }))
  }
}
