/**
 * @module One thread's files under git: where its turns run (its worktree, or the plain root
 * when the workspace is not a git repository), the baseline before each run, the checkpoint
 * after, and the restore of a rollback. Operations of a thread run one at a time.
 */
import { join } from 'node:path'
import { deriveId, type CheckpointFile } from '../../src/contracts/index.ts'
import { fileChanges, unifiedDiff } from './file-changes.ts'
import { baselineRef, checkpointRef, headRef } from './refs.ts'
import { removeThreadFiles, type Removed } from './remove-thread.ts'
import { restoreFiles } from './restore.ts'
import { headCommit, resolveRef, setRef, snapshotCommit, treeOf } from './snapshot.ts'
import { assertOwnWorktree, createWorktree, excludeLoomDir, findRepo, worktreeExists, worktreePathOf, type Repo } from './worktree.ts'

export type Place =
  | { kind: 'git'; repo: Repo; workTree: string; cwd: string }
  | { kind: 'plain'; cwd: string }

/** A checkpoint to report (`checkpoint.captured`). */
export type Captured = { runId: string | null; appRunOrdinal: number; ref: string; files: CheckpointFile[] }

/** A diff to send to the thread: of a checkpoint (from the previous one) or of a run (from its baseline). */
export type DiffText = { subject: 'checkpoint' | 'run'; id: string; text: string }

export type BeforeRun = { cwd: string; checkpoints: 'available' | 'unavailable'; captured: Captured | null }

export type AfterRun = { captured: Captured; diffs: DiffText[] }

export class ThreadCheckpoints {
  readonly threadId: string
  private readonly workspaceRoot: string
  private place: Place | null = null
  private chain: Promise<unknown> = Promise.resolve()

  constructor(threadId: string, workspaceRoot: string) {
    this.threadId = threadId
    this.workspaceRoot = workspaceRoot
  }

  /** The id the thread gives checkpoint `ordinal` (`deriveId.checkpoint`). */
  checkpointId(ordinal: number): string {
    return deriveId.checkpoint(deriveId.checkpointScope(this.threadId), ordinal)
  }

  /**
   * Before run `runOrdinal`: the worktree exists (created from `forkRef` or the user's working
   * state the first time; ordinal 0 is then captured), and the run's baseline is recorded.
   */
  beforeRun(runOrdinal: number, forkRef: string | null): Promise<BeforeRun> {
    return this.serial(async () => {
      const place = await this.ensurePlace(forkRef)
      if (place.kind === 'plain') return { cwd: place.cwd, checkpoints: 'unavailable', captured: null }
      const { workTree } = place
      const zeroRef = checkpointRef(this.threadId, 0)
      let captured: Captured | null = null
      let head = await resolveRef(workTree, headRef(this.threadId))
      if (!(await resolveRef(workTree, zeroRef)) || !head) {
        head = await snapshotCommit(workTree, await headCommit(workTree), `loom: thread ${this.threadId} starts`)
        await setRef(workTree, zeroRef, head)
        await setRef(workTree, headRef(this.threadId), head)
        captured = { runId: null, appRunOrdinal: 0, ref: zeroRef, files: [] }
      }
      const baseline = await snapshotCommit(workTree, head, `loom: thread ${this.threadId} before run ${runOrdinal}`)
      await setRef(workTree, baselineRef(this.threadId, runOrdinal), baseline)
      return { cwd: place.cwd, checkpoints: 'available', captured }
    })
  }

  /** After run `runOrdinal` ended (completed, failed or interrupted): its checkpoint, file stats and diffs; null without git. */
  afterRun(runId: string, runOrdinal: number): Promise<AfterRun | null> {
    return this.serial(async () => {
      const place = await this.ensurePlace(null)
      if (place.kind === 'plain') return null
      const { workTree } = place
      const previous = await resolveRef(workTree, headRef(this.threadId))
      const baseline = await resolveRef(workTree, baselineRef(this.threadId, runOrdinal))
      const parent = baseline ?? previous
      const commit = await snapshotCommit(workTree, parent, `loom: thread ${this.threadId} after run ${runOrdinal}`)
      const ref = checkpointRef(this.threadId, runOrdinal)
      await setRef(workTree, ref, commit)
      await setRef(workTree, headRef(this.threadId), commit)
      const from = previous ?? parent ?? commit
      const diffs: DiffText[] = [{ subject: 'checkpoint', id: this.checkpointId(runOrdinal), text: await unifiedDiff(workTree, from, commit) }]
      // The run's own diff differs only when the files changed between the last checkpoint and the run's start.
      if (baseline && previous && (await treeOf(workTree, baseline)) !== (await treeOf(workTree, previous))) {
        diffs.push({ subject: 'run', id: runId, text: await unifiedDiff(workTree, baseline, commit) })
      }
      return { captured: { runId, appRunOrdinal: runOrdinal, ref, files: await fileChanges(workTree, from, commit) }, diffs }
    })
  }

  /** Makes the worktree's files those of checkpoint `ref`; doing it twice changes nothing more. */
  rollback(ref: string): Promise<void> {
    return this.serial(async () => {
      const place = await this.ensurePlace(ref)
      if (place.kind === 'plain') throw new CheckpointError('checkpoints_unavailable', 'the workspace is not a git repository: there are no files to roll back')
      const commit = await resolveRef(place.workTree, ref)
      if (!commit) throw new CheckpointError('checkpoint_missing', `checkpoint ${ref} is not in the repository`)
      await restoreFiles(place.workTree, commit)
      await setRef(place.workTree, headRef(this.threadId), commit)
    })
  }

  /** The thread was deleted: its worktree and refs go (after any capture under way); null without git. */
  remove(): Promise<Removed | null> {
    return this.serial(async () => {
      const repo = this.place?.kind === 'git' ? this.place.repo : await findRepo(this.workspaceRoot)
      this.place = null
      return repo ? removeThreadFiles(repo, this.workspaceRoot, this.threadId) : null
    })
  }

  /** Where the thread's turns run (its worktree, created from the user's state when missing, or the plain root). */
  where(): Promise<string> {
    return this.serial(async () => (await this.ensurePlace(null)).cwd)
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work)
    this.chain = next.catch(() => undefined)
    return next
  }

  /** Finds or creates where the thread's turns run; `startRef` seeds a new worktree (a fork's source checkpoint). */
  private async ensurePlace(startRef: string | null): Promise<Place> {
    if (this.place?.kind === 'git') await assertOwnWorktree(this.place.workTree)
    if (this.place) return this.place
    const repo = await findRepo(this.workspaceRoot)
    if (!repo) return (this.place = { kind: 'plain', cwd: this.workspaceRoot })
    const workTree = worktreePathOf(this.workspaceRoot, this.threadId)
    if (!worktreeExists(workTree)) {
      await excludeLoomDir(repo.topLevel)
      const start = (startRef ? await resolveRef(repo.topLevel, startRef) : null) ?? (await snapshotCommit(repo.topLevel, await headCommit(repo.topLevel), `loom: workspace state for thread ${this.threadId}`))
      await createWorktree(repo, workTree, start)
    }
    await assertOwnWorktree(workTree)
    return (this.place = { kind: 'git', repo, workTree, cwd: join(workTree, repo.prefix) })
  }
}

export class CheckpointError extends Error {
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.code = code
  }
}
