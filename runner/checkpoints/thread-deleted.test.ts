/**
 * A deleted thread's worktree and refs are removed, with real git in a temp repository and
 * the session host: only that thread's (not thread `t10`'s when `t1` goes, not the user's
 * branches, stash or their own worktrees, not even the record of a user worktree whose folder
 * is gone); an archived thread keeps everything; a second delete finds nothing to do.
 */
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { checkpointRef } from './refs.ts'
import { threadRefs } from './remove-thread.ts'
import { sessionClose, standInHost } from './stand-in-host.ts'
import { dirtyRepo, sh, tempDir, userView } from './test-repo.ts'
import { worktreePathOf } from './worktree.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const worktrees = (root: string): string[] =>
  sh(root, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice('worktree '.length))

describe('a deleted thread', () => {
  it('should lose its worktree and refs, and nothing else; an archived one keeps them', async () => {
    const root = dirtyRepo()
    dirs.push(root)
    // The user's own worktrees: one in use, one whose folder they deleted without `git worktree prune`.
    const userTree = tempDir('user-tree')
    const goneTree = tempDir('gone-tree')
    dirs.push(userTree, goneTree)
    rmSync(userTree, { recursive: true })
    rmSync(goneTree, { recursive: true })
    sh(root, 'worktree', 'add', '--quiet', '-b', 'feature', userTree)
    sh(root, 'worktree', 'add', '--quiet', '--detach', goneTree)
    rmSync(goneTree, { recursive: true })

    const t1 = standInHost('t1', root, dirs)
    const t10 = standInHost('t10', root, dirs)
    for (const host of [t1, t10]) await host.play(1)
    const before = userView(root)
    const t1Tree = worktreePathOf(root, 't1')
    const t10Tree = worktreePathOf(root, 't10')
    const t10Refs = await threadRefs(root, 't10')
    expect(t10Refs.map((ref) => ref.split('/')[2])).toEqual(['baselines', 'checkpoints', 'checkpoints', 'heads'])
    expect(await threadRefs(root, 't1')).toEqual(t10Refs.map((ref) => ref.replace('/t10', '/t1')))

    expect(await t1.sessions.carryOut(sessionClose('t1', 'thread_archived'))).toMatchObject({ type: 'effect.completed' })
    expect(existsSync(join(t1Tree, 'run-1.txt'))).toBe(true)
    expect((await threadRefs(root, 't1')).length).toBe(4)
    expect(t1.calls).not.toContain('drop diffs')

    expect(await t1.sessions.carryOut(sessionClose('t1', 'thread_deleted'))).toMatchObject({ type: 'effect.completed' })
    expect(existsSync(t1Tree)).toBe(false)
    expect(await threadRefs(root, 't1')).toEqual([])
    expect(t1.calls.filter((c) => c === 'drop diffs')).toHaveLength(1)
    expect(t10.calls).not.toContain('drop diffs')
    expect(worktrees(root)).not.toContain(t1Tree)
    expect(worktrees(root)).toEqual(expect.arrayContaining([t10Tree, userTree, goneTree]))
    expect(existsSync(join(t10Tree, 'run-1.txt'))).toBe(true)
    expect(await threadRefs(root, 't10')).toEqual(t10Refs)
    expect(sh(root, 'rev-parse', '--verify', '--quiet', checkpointRef('t10', 1)).trim()).toMatch(/^[0-9a-f]{40}$/)
    expect(userView(root)).toEqual(before)
    expect(t1.log.lines.find((l) => l.msg.startsWith('removed the deleted thread'))?.fields).toMatchObject({ worktree: true, refs: 4 })

    // A second close (another provider's session) finds nothing left.
    expect(await t1.sessions.carryOut(sessionClose('t1', 'thread_deleted'))).toMatchObject({ type: 'effect.completed' })
    expect(t1.log.lines.filter((l) => l.level === 'warn')).toEqual([])
    expect(worktrees(root)).toEqual(expect.arrayContaining([t10Tree, userTree, goneTree]))
  })

  it('should remove a worktree whose folder is already gone from git\'s records, and one git no longer knew', async () => {
    const root = dirtyRepo()
    dirs.push(root)
    const host = standInHost('t1', root, dirs)
    await host.play(1)
    const tree = worktreePathOf(root, 't1')
    rmSync(tree, { recursive: true })
    expect(worktrees(root)).toContain(tree)
    await host.sessions.carryOut(sessionClose('t1', 'thread_deleted'))
    expect(worktrees(root)).not.toContain(tree)
    expect(await threadRefs(root, 't1')).toEqual([])

    const other = standInHost('t2', root, dirs)
    await other.play(1)
    const otherTree = worktreePathOf(root, 't2')
    // git's record of it is gone (as after a manual cleanup); the folder stays.
    rmSync(join(root, '.git', 'worktrees', 't2'), { recursive: true })
    expect(worktrees(root)).not.toContain(otherTree)
    expect(await other.sessions.carryOut(sessionClose('t2', 'thread_deleted'))).toMatchObject({ type: 'effect.completed' })
    expect(existsSync(otherTree)).toBe(false)
    expect(await threadRefs(root, 't2')).toEqual([])
    expect(other.log.lines.filter((l) => l.level === 'warn')).toEqual([])
  })
})
