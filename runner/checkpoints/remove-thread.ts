/**
 * @module What a deleted thread leaves in the user's repository, removed: its worktree
 * (`git worktree remove --force`, which also drops git's record of it, even when the folder is
 * already gone) and its refs (`refs/loom/<kind>/<threadId>` and everything under it). Nothing
 * else is touched: no `git worktree prune` (it would drop the records of the user's own missing
 * worktrees), no other thread's refs. Doing it twice finds nothing the second time.
 */
import { existsSync, realpathSync, rmSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { git, gitList } from './git.ts'
import { refSegment } from './refs.ts'
import { worktreePathOf, type Repo } from './worktree.ts'

export type Removed = { worktree: boolean; refs: string[] }

/** The path with its folder's symlinks resolved (the folder may be gone: then as given). */
const canonical = (path: string): string => {
  try {
    return join(realpathSync(dirname(path)), basename(path))
  } catch {
    return path
  }
}

/** Whether git has `path` on record as one of the repository's worktrees. */
const registered = async (repo: Repo, path: string): Promise<boolean> => {
  const lines = await gitList(['worktree', 'list', '--porcelain', '-z'], { cwd: repo.topLevel })
  const wanted = canonical(path)
  return lines.some((line) => line.startsWith('worktree ') && canonical(line.slice('worktree '.length)) === wanted)
}

/** The thread's refs: the third component is the thread's segment, exactly (thread `t1` is not `t10`). */
export const threadRefs = async (cwd: string, threadId: string): Promise<string[]> => {
  const segment = refSegment(threadId)
  const all = (await git(['for-each-ref', '--format=%(refname)', 'refs/loom/'], { cwd })).stdout.toString('utf8').split('\n')
  return all.filter((ref) => ref.split('/')[3] === segment)
}

export const removeThreadFiles = async (repo: Repo, workspaceRoot: string, threadId: string): Promise<Removed> => {
  const path = worktreePathOf(workspaceRoot, threadId)
  let worktree = false
  if (await registered(repo, path)) {
    // Twice --force: also when the worktree is locked, or has changes no one will commit now.
    await git(['worktree', 'remove', '--force', '--force', path], { cwd: repo.topLevel })
    worktree = true
  }
  // A folder git no longer knew about (its record pruned by the user) is still the thread's.
  if (existsSync(path)) {
    rmSync(path, { recursive: true, force: true })
    worktree = true
  }
  const refs = await threadRefs(repo.topLevel, threadId)
  if (refs.length > 0) await git(['update-ref', '--no-deref', '--stdin'], { cwd: repo.topLevel, input: refs.map((ref) => `delete ${ref}\n`).join('') })
  return { worktree, refs }
}
