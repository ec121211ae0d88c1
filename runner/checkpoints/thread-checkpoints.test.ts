/**
 * Checkpoints with the machine's real git in throwaway repositories: worktrees from the
 * user's dirty working state, captures with file stats (binary, rename, delete), rollbacks
 * byte for byte, forks from a checkpoint, reuse after a restart, and a plain (non-git) root.
 */
import { existsSync, readFileSync, rmSync, unlinkSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ThreadCheckpoints } from './thread-checkpoints.ts'
import { checkpointRef } from './refs.ts'
import { worktreePathOf } from './worktree.ts'
import { dirtyRepo, filesUnder, sh, tempDir, userView, write } from './test-repo.ts'

const dirs: string[] = []
const repo = () => {
  const root = dirtyRepo()
  dirs.push(root)
  return root
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A few bytes no text decoder would keep: a NUL, invalid UTF-8, a CR. */
const BINARY = Buffer.from([0, 1, 2, 255, 254, 13, 10, 0, 200])

/** What an agent does in run 1: edit, add a binary file, rename, delete. */
const agentRun1 = (wt: string) => {
  write(wt, 'src/app.ts', 'export const a = 2\nexport const b = 3\n')
  write(wt, 'assets/logo.bin', BINARY)
  renameSync(join(wt, 'src/old-name.ts'), join(wt, 'src/new-name.ts'))
  unlinkSync(join(wt, 'notes/untracked.md'))
}

describe('ThreadCheckpoints', () => {
  it('should start the worktree from the user working state and leave the user tree, index and HEAD untouched', async () => {
    const root = repo()
    const before = userView(root)
    const cps = new ThreadCheckpoints('thread:one', root)
    const start = await cps.beforeRun(1, null)
    const wt = worktreePathOf(root, 'thread:one')
    expect(start).toEqual({ cwd: wt, checkpoints: 'available', captured: { runId: null, appRunOrdinal: 0, ref: checkpointRef('thread:one', 0), files: [] } })
    expect(wt).toBe(join(root, '.loom', 'worktrees', 'thread%3Aone'))
    // The agent sees what the user sees: modified, staged, untracked files; not the ignored one.
    const userFiles = filesUnder(root)
    delete userFiles['build/out.js']
    expect(filesUnder(wt)).toEqual(userFiles)
    expect(readFileSync(join(wt, 'README.md'), 'utf8')).toBe('hello\nworld, edited\n')
    expect(sh(wt, 'status', '--porcelain', '--untracked-files=all')).toContain('?? notes/untracked.md')

    agentRun1(wt)
    const after = await cps.afterRun('run-1', 1)
    expect(after?.captured.ref).toBe(checkpointRef('thread:one', 1))
    expect(userView(root)).toEqual(before)
    expect(readFileSync(join(root, '.git', 'info', 'exclude'), 'utf8')).toContain('.loom/')
    expect(existsSync(join(root, '.gitignore')) && readFileSync(join(root, '.gitignore'), 'utf8')).toBe('build/\n')
    expect(sh(root, 'stash', 'list')).toBe('')
  })

  it('should report per-file stats of a run: modified, binary added, renamed, deleted', async () => {
    const root = repo()
    const cps = new ThreadCheckpoints('t-stats', root)
    const { cwd: wt } = await cps.beforeRun(1, null)
    agentRun1(wt)
    const after = await cps.afterRun('run-1', 1)
    const files = [...(after?.captured.files ?? [])].sort((a, b) => a.path.localeCompare(b.path))
    expect(files).toEqual([
      { path: 'assets/logo.bin', kind: 'added', additions: 0, deletions: 0 },
      { path: 'notes/untracked.md', kind: 'deleted', additions: 0, deletions: 1 },
      { path: 'src/app.ts', kind: 'modified', additions: 2, deletions: 1 },
      { path: 'src/new-name.ts', kind: 'renamed', additions: 0, deletions: 0 },
    ])
    const [diff] = after?.diffs ?? []
    expect(diff).toMatchObject({ subject: 'checkpoint', id: cps.checkpointId(1) })
    expect(diff?.text).toContain('diff --git a/src/app.ts b/src/app.ts')
    expect(diff?.text).toContain('+export const b = 3')
    expect(diff?.text).toContain('rename from src/old-name.ts')
    expect(diff?.text).toMatch(/Binary files \/dev\/null and b\/assets\/logo.bin differ/)
    // No edits between the checkpoint and the run's start: the run's diff is the checkpoint's.
    expect(after?.diffs).toHaveLength(1)
  })

  it('should roll the files back byte for byte, deleting later files and restoring deleted ones, idempotently', async () => {
    const root = repo()
    const cps = new ThreadCheckpoints('t-rollback', root)
    const { cwd: wt } = await cps.beforeRun(1, null)
    const atStart = filesUnder(wt)
    agentRun1(wt)
    await cps.afterRun('run-1', 1)
    const atOne = filesUnder(wt)
    await cps.beforeRun(2, null)
    write(wt, 'src/app.ts', 'run two\n')
    write(wt, 'deep/new/dir/file.txt', 'created in run 2\n')
    rmSync(join(wt, 'assets/logo.bin'))
    await cps.afterRun('run-2', 2)

    await cps.rollback(checkpointRef('t-rollback', 1))
    expect(filesUnder(wt)).toEqual(atOne)
    expect(existsSync(join(wt, 'deep'))).toBe(false)
    expect(readFileSync(join(wt, 'assets/logo.bin')).equals(BINARY)).toBe(true)
    await cps.rollback(checkpointRef('t-rollback', 1))
    expect(filesUnder(wt)).toEqual(atOne)

    await cps.rollback(checkpointRef('t-rollback', 0))
    expect(filesUnder(wt)).toEqual(atStart)
    expect(existsSync(join(wt, 'src/old-name.ts'))).toBe(true)
    expect(existsSync(join(wt, 'src/new-name.ts'))).toBe(false)
  })

  it('should diff the next checkpoint against the one rolled back to, and keep a run diff when files changed between runs', async () => {
    const root = repo()
    const cps = new ThreadCheckpoints('t-next', root)
    const { cwd: wt } = await cps.beforeRun(1, null)
    write(wt, 'one.txt', 'one\n')
    await cps.afterRun('run-1', 1)
    await cps.beforeRun(2, null)
    write(wt, 'two.txt', 'two\n')
    await cps.afterRun('run-2', 2)
    await cps.rollback(checkpointRef('t-next', 1))
    write(wt, 'by-hand.txt', 'edited between runs\n')
    await cps.beforeRun(3, null)
    write(wt, 'three.txt', 'three\n')
    const after = await cps.afterRun('run-3', 3)
    expect(after?.captured.files.map((f) => f.path).sort()).toEqual(['by-hand.txt', 'three.txt'])
    expect(after?.diffs.map((d) => [d.subject, d.id])).toEqual([
      ['checkpoint', cps.checkpointId(3)],
      ['run', 'run-3'],
    ])
    expect(after?.diffs[1]?.text).toContain('three.txt')
    expect(after?.diffs[1]?.text).not.toContain('by-hand.txt')
  })

  it('should start a fork worktree from the source checkpoint', async () => {
    const root = repo()
    const source = new ThreadCheckpoints('t-source', root)
    const { cwd: wt } = await source.beforeRun(1, null)
    agentRun1(wt)
    await source.afterRun('run-1', 1)
    const atOne = filesUnder(wt)
    write(wt, 'later.txt', 'after the fork point\n')
    await source.afterRun('run-2', 2)

    const fork = new ThreadCheckpoints('t-fork', root)
    const started = await fork.beforeRun(1, checkpointRef('t-source', 1))
    expect(started.cwd).toBe(worktreePathOf(root, 't-fork'))
    expect(filesUnder(started.cwd)).toEqual(atOne)
    expect(started.captured).toMatchObject({ appRunOrdinal: 0, ref: checkpointRef('t-fork', 0) })
  })

  it('should reuse the worktree after a restart without capturing ordinal 0 again', async () => {
    const root = repo()
    const first = new ThreadCheckpoints('t-restart', root)
    const { cwd: wt } = await first.beforeRun(1, null)
    write(wt, 'kept.txt', 'from run 1\n')
    await first.afterRun('run-1', 1)
    const restarted = new ThreadCheckpoints('t-restart', root)
    const again = await restarted.beforeRun(2, null)
    expect(again).toEqual({ cwd: wt, checkpoints: 'available', captured: null })
    expect(readFileSync(join(wt, 'kept.txt'), 'utf8')).toBe('from run 1\n')
    write(wt, 'two.txt', '2\n')
    const after = await restarted.afterRun('run-2', 2)
    expect(after?.captured.files).toEqual([{ path: 'two.txt', kind: 'added', additions: 1, deletions: 0 }])
  })

  it('should run in a subdirectory of the repository when the workspace root is one', async () => {
    const top = repo()
    const cps = new ThreadCheckpoints('t-sub', join(top, 'src'))
    const { cwd } = await cps.beforeRun(1, null)
    expect(cwd).toBe(join(worktreePathOf(join(top, 'src'), 't-sub'), 'src/'))
    expect(readFileSync(join(cwd, 'app.ts'), 'utf8')).toBe('export const a = 1\n')
  })

  it('should run in the root itself and report checkpoints unavailable when the root is not a git repository', async () => {
    const root = tempDir('plain')
    dirs.push(root)
    write(root, 'file.txt', 'plain\n')
    const cps = new ThreadCheckpoints('t-plain', root)
    expect(await cps.beforeRun(1, null)).toEqual({ cwd: root, checkpoints: 'unavailable', captured: null })
    write(root, 'file.txt', 'changed\n')
    expect(await cps.afterRun('run-1', 1)).toBeNull()
    await expect(cps.rollback('refs/loom/checkpoints/t-plain/0')).rejects.toMatchObject({ code: 'checkpoints_unavailable' })
    expect(existsSync(join(root, '.loom'))).toBe(false)
  })

  it('should refuse a rollback to a checkpoint the repository does not have', async () => {
    const root = repo()
    const cps = new ThreadCheckpoints('t-missing', root)
    await cps.beforeRun(1, null)
    await expect(cps.rollback(checkpointRef('t-missing', 7))).rejects.toMatchObject({ code: 'checkpoint_missing' })
  })
})

describe('a worktree folder deleted by hand', () => {
  it('should be created again at the next run, from the user working state', async () => {
    const root = repo()
    const first = new ThreadCheckpoints('t-deleted', root)
    const { cwd: wt } = await first.beforeRun(1, null)
    rmSync(wt, { recursive: true, force: true })
    const again = await new ThreadCheckpoints('t-deleted', root).beforeRun(2, null)
    expect(again.cwd).toBe(wt)
    expect(readFileSync(join(wt, 'README.md'), 'utf8')).toBe('hello\nworld, edited\n')
  })
})

describe('a worktree that lost its .git link', () => {
  it('should refuse to roll back rather than touch the user repository above it', async () => {
    const root = repo()
    const cps = new ThreadCheckpoints('t-unlinked', root)
    const { cwd: wt } = await cps.beforeRun(1, null)
    write(wt, 'agent.txt', 'agent\n')
    await cps.afterRun('run-1', 1)
    const before = userView(root)
    rmSync(join(wt, '.git'))
    await expect(cps.rollback(checkpointRef('t-unlinked', 0))).rejects.toThrow(/no longer a git worktree/)
    expect(userView(root)).toEqual(before)
    expect(existsSync(join(wt, 'agent.txt'))).toBe(true)
  })
})
