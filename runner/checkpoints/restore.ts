/**
 * @module Making a work tree's files equal to a checkpoint, byte for byte: the current files
 * are compared with the checkpoint (a snapshot tree against the checkpoint's tree), files the
 * checkpoint does not have are deleted, and only the files that differ are written, through a
 * temporary index. Ignored files, the work tree's own index and its HEAD are left as they are.
 */
import { readdirSync, rmdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { git, gitList } from './git.ts'
import { snapshotTree, withTempIndex } from './snapshot.ts'

/** Removes now-empty directories from `dir` up to (not including) `root`. */
const pruneEmpty = (root: string, dir: string): void => {
  let current = dir
  while (current.startsWith(root) && current !== root) {
    try {
      if (readdirSync(current).length > 0) return
      rmdirSync(current)
    } catch {
      return // gone already, or not a directory we may remove: nothing further up can be empty
    }
    current = dirname(current)
  }
}

/** `--name-status -z --no-renames` from the current files to the checkpoint: what to delete, what to write. */
const plan = async (workTree: string, commit: string): Promise<{ remove: string[]; write: string[] }> => {
  const fields = await gitList(['diff', '--no-renames', '--no-ext-diff', '--name-status', '-z', await snapshotTree(workTree), commit], { cwd: workTree })
  const remove: string[] = []
  const write: string[] = []
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const path = fields[i + 1] as string
    if (fields[i] === 'D') remove.push(path)
    else write.push(path)
  }
  return { remove, write }
}

export const restoreFiles = async (workTree: string, commit: string): Promise<void> => {
  const { remove, write } = await plan(workTree, commit)
  for (const path of remove) {
    const full = join(workTree, path)
    rmSync(full, { force: true, recursive: true })
    pruneEmpty(workTree, dirname(full))
  }
  if (write.length === 0) return
  await withTempIndex(null, async (indexFile) => {
    const env = { GIT_INDEX_FILE: indexFile }
    await git(['read-tree', commit], { cwd: workTree, env })
    await git(['checkout-index', '--force', '-z', '--stdin'], { cwd: workTree, env, input: `${write.join('\0')}\0` })
  })
}
