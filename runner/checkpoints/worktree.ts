/**
 * @module A thread's own git worktree, `<root>/.loom/worktrees/<threadId>`: created once from
 * a starting commit (the user's working state, or a fork's source checkpoint), reused after a
 * runner restart. `.loom/` is kept out of the user's status through `info/exclude`, never
 * through their `.gitignore`.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs'
import { dirname, isAbsolute, join } from 'node:path'
import { git, GitError, gitText } from './git.ts'
import { refSegment } from './refs.ts'
import { restoreFiles } from './restore.ts'
import { headCommit } from './snapshot.ts'

export type Repo = {
  /** The repository's top level, where the user works. */
  topLevel: string
  /** The workspace root relative to the top level ('' or ending in '/'). */
  prefix: string
}

/** The repository a workspace root belongs to, or null when it is not in a git work tree. */
export const findRepo = async (root: string): Promise<Repo | null> => {
  // No git on the machine: not a repository. A git that timed out says nothing either way: that is an error, not a plain folder.
  const inside = await git(['rev-parse', '--is-inside-work-tree'], { cwd: root, okCodes: [128] }).catch((cause: unknown) => {
    if (cause instanceof GitError && cause.code === null && !cause.timedOut) return null
    throw cause
  })
  if (!inside || inside.code !== 0 || inside.stdout.toString('utf8').trim() !== 'true') return null
  const [topLevel, prefix] = await Promise.all([gitText(['rev-parse', '--show-toplevel'], { cwd: root }), gitText(['rev-parse', '--show-prefix'], { cwd: root })])
  return { topLevel, prefix }
}

const EXCLUDE_LINE = '.loom/'

/** Adds `.loom/` to the repository's `info/exclude` once (shared by all its worktrees). */
export const excludeLoomDir = async (topLevel: string): Promise<void> => {
  const relative = await gitText(['rev-parse', '--git-path', 'info/exclude'], { cwd: topLevel })
  const file = isAbsolute(relative) ? relative : join(topLevel, relative)
  const current = existsSync(file) ? readFileSync(file, 'utf8') : ''
  if (current.split('\n').some((line) => line.trim() === EXCLUDE_LINE)) return
  mkdirSync(dirname(file), { recursive: true })
  appendFileSync(file, `${current.length > 0 && !current.endsWith('\n') ? '\n' : ''}${EXCLUDE_LINE}\n`)
}

export const worktreePathOf = (workspaceRoot: string, threadId: string): string => join(workspaceRoot, '.loom', 'worktrees', refSegment(threadId))

/** Whether a thread's worktree is already there (a runner restart reuses it). */
export const worktreeExists = (path: string): boolean => existsSync(join(path, '.git'))

/**
 * Refuses to work on `path` unless it is a git work tree of its own. Without this, a worktree
 * whose `.git` link was lost would resolve to the user's repository above it, and a restore
 * would write the user's files.
 */
export const assertOwnWorktree = async (path: string): Promise<void> => {
  const found = await git(['rev-parse', '--show-toplevel'], { cwd: path, env: { GIT_CEILING_DIRECTORIES: dirname(path) }, okCodes: [128] })
  const topLevel = found.stdout.toString('utf8').trim()
  if (found.code !== 0 || realpathSync(topLevel) !== realpathSync(path)) throw new Error(`${path} is no longer a git worktree of its own`)
}

/**
 * Creates the worktree at `path` on the user's HEAD (detached, no hooks run), then makes its
 * files those of `files`, so `git status` inside shows the same changes the user had.
 */
export const createWorktree = async (repo: Repo, path: string, files: string): Promise<void> => {
  mkdirSync(dirname(path), { recursive: true })
  const base = (await headCommit(repo.topLevel)) ?? files
  // --force: the path may still be registered from a worktree folder someone deleted (no `worktree prune`, which would touch the user's other worktrees).
  await git(['-c', 'core.hooksPath=/dev/null', 'worktree', 'add', '--force', '--detach', '--quiet', path, base], { cwd: repo.topLevel })
  await restoreFiles(path, files)
}
