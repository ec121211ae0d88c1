/**
 * @module A commit of a work tree's full state (tracked and untracked files, ignored ones
 * left out), written through a temporary index (`GIT_INDEX_FILE`) and `git commit-tree`: the
 * work tree's own index, HEAD and branches are not touched.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { git, gitText } from './git.ts'

/** Runs `use` with a private index file path, removed afterwards; seeded from `seed` (stat cache) when given. */
export const withTempIndex = async <T>(seed: string | null, use: (indexFile: string) => Promise<T>): Promise<T> => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-index-'))
  const indexFile = join(dir, 'index')
  try {
    if (seed && existsSync(seed)) copyFileSync(seed, indexFile)
    return await use(indexFile)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The work tree's own index file (for a linked worktree, its private one). */
const indexOf = async (workTree: string): Promise<string> => {
  const path = await gitText(['rev-parse', '--git-path', 'index'], { cwd: workTree })
  return isAbsolute(path) ? path : join(workTree, path)
}

/** HEAD's commit, or null in a repository without commits. */
export const headCommit = async (workTree: string): Promise<string | null> => {
  const { code, stdout } = await git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: workTree, okCodes: [1] })
  return code === 0 ? stdout.toString('utf8').trim() : null
}

/** The tree of the work tree's current files (ignored ones left out). */
export const snapshotTree = async (workTree: string): Promise<string> =>
  withTempIndex(await indexOf(workTree), async (indexFile) => {
    const env = { GIT_INDEX_FILE: indexFile }
    await git(['add', '--all', '--', ':/'], { cwd: workTree, env })
    return gitText(['write-tree'], { cwd: workTree, env })
  })

/** Commits the work tree's current files; `parent` is the commit it follows (null: a root commit). */
export const snapshotCommit = async (workTree: string, parent: string | null, message: string): Promise<string> => {
  const tree = await snapshotTree(workTree)
  const parents = parent ? ['-p', parent] : []
  return gitText(['commit-tree', '--no-gpg-sign', ...parents, '-m', message, tree], { cwd: workTree })
}

/** Points `ref` (in Loom's own namespace) at `commit`. */
export const setRef = async (cwd: string, ref: string, commit: string): Promise<void> => {
  await git(['update-ref', ref, commit], { cwd })
}

/** The commit `ref` names, or null when it does not exist. */
export const resolveRef = async (cwd: string, ref: string): Promise<string | null> => {
  const { code, stdout } = await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd, okCodes: [1] })
  return code === 0 ? stdout.toString('utf8').trim() : null
}

/** The tree of a commit (two commits with the same tree hold the same files). */
export const treeOf = (cwd: string, commit: string): Promise<string> => gitText(['rev-parse', `${commit}^{tree}`], { cwd })
