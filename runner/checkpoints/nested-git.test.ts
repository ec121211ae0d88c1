/**
 * Workspaces whose `.git` is a file, not a folder, with real git: the root is a linked
 * worktree of the user's repository, a submodule, or a repository with a separate git dir.
 * Checkpoints must work there, and `.loom/` must stay out of the user's `git status` (in the
 * workspace and, for a submodule, in the superproject), through the right `info/exclude`.
 */
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { sh, tempDir, write } from './test-repo.ts'
import { standInHost } from './stand-in-host.ts'
import { excludeLoomDir } from './worktree.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const committedRepo = (name: string, ...extra: string[]): string => {
  const root = tempDir(name)
  dirs.push(root)
  sh(root, 'init', '--quiet', '--initial-branch=main', ...extra)
  write(root, 'a.txt', 'a\n')
  sh(root, 'add', '-A')
  sh(root, 'commit', '--quiet', '-m', 'first')
  return root
}

const status = (dir: string): string => sh(dir, 'status', '--porcelain=v1', '--untracked-files=all', '--ignore-submodules=none')

/** One run on `root` that writes run-1.txt; the checkpoint must list it. */
const runOnce = async (root: string): Promise<void> => {
  const host = standInHost('t1', root, dirs)
  await host.play(1)
  expect(host.story()).toEqual(['workspace.features', 'checkpoint 0', 'turn.started', 'checkpoint 1', 'turn.completed completed'])
  expect(host.sent.find((e) => e.type === 'workspace.features')).toMatchObject({ checkpoints: 'available' })
  expect(host.sent.find((e) => e.type === 'checkpoint.captured' && e.appRunOrdinal === 1)).toMatchObject({ files: [{ path: 'run-1.txt', kind: 'added' }] })
  expect(existsSync(join(root, '.loom', 'worktrees', 't1', 'run-1.txt'))).toBe(true)
  expect(existsSync(join(root, 'run-1.txt'))).toBe(false)
}

describe('a workspace whose .git is a file', () => {
  it('should checkpoint in a linked worktree of the user repository, excluding .loom/ in the shared exclude file', async () => {
    const main = committedRepo('main')
    const linked = join(tempDir('linked-parent'), 'linked')
    dirs.push(linked)
    sh(main, 'worktree', 'add', '--quiet', '-b', 'side', linked)
    expect(statSync(join(linked, '.git')).isFile()).toBe(true)
    write(linked, 'dirty.txt', 'uncommitted\n')
    const [mainBefore, linkedBefore] = [status(main), status(linked)]
    await runOnce(linked)
    expect(status(linked)).toBe(linkedBefore)
    expect(status(main)).toBe(mainBefore)
    expect(readFileSync(join(main, '.git', 'info', 'exclude'), 'utf8').split('\n')).toContain('.loom/')
    expect(existsSync(join(linked, '.loom', 'worktrees', 't1', 'dirty.txt'))).toBe(true)
  })

  it('should checkpoint in a submodule, keeping .loom/ out of the submodule and the superproject status', async () => {
    const lib = committedRepo('lib')
    const app = committedRepo('app')
    sh(app, '-c', 'protocol.file.allow=always', 'submodule', 'add', '--quiet', lib, 'lib')
    sh(app, 'commit', '--quiet', '-m', 'add lib')
    const sub = join(app, 'lib')
    expect(statSync(join(sub, '.git')).isFile()).toBe(true)
    const [appBefore, subBefore] = [status(app), status(sub)]
    expect(appBefore).toBe('')
    await runOnce(sub)
    expect(status(sub)).toBe(subBefore)
    expect(status(app)).toBe(appBefore)
    expect(readFileSync(join(app, '.git', 'modules', 'lib', 'info', 'exclude'), 'utf8').split('\n')).toContain('.loom/')
    // Twice changes nothing more.
    await excludeLoomDir(sub)
    expect(readFileSync(join(app, '.git', 'modules', 'lib', 'info', 'exclude'), 'utf8').split('\n').filter((l) => l === '.loom/')).toHaveLength(1)
  })

  it('should checkpoint in a repository with a separate git dir', async () => {
    const gitDir = join(tempDir('separate'), 'repo.git')
    dirs.push(gitDir)
    const root = committedRepo('work', `--separate-git-dir=${gitDir}`)
    expect(statSync(join(root, '.git')).isFile()).toBe(true)
    const before = status(root)
    await runOnce(root)
    expect(status(root)).toBe(before)
    expect(readFileSync(join(gitDir, 'info', 'exclude'), 'utf8').split('\n')).toContain('.loom/')
  })
})
