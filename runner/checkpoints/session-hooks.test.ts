/**
 * The session host's checkpoint hooks with real git: the turn runs in the thread's worktree,
 * ordinal 0 and the run's checkpoint are reported (the checkpoint before the run's end), the
 * diff goes out, and a rollback restores the files before the session reverts the
 * conversation. The provider is a stand-in (no model behind a unit test): it writes a file in
 * its cwd and ends the turn, as a real agent's session would report it.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Effect } from '../../src/contracts/index.ts'
import { checkpointRef } from './refs.ts'
import { worktreePathOf } from './worktree.ts'
import { dirtyRepo, tempDir, userView } from './test-repo.ts'
import { standInHost, turnStart, until } from './stand-in-host.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const setup = (root: string) => {
  dirs.push(root)
  return standInHost('t1', root, dirs)
}

describe('the session host with checkpoints', () => {
  it('should run the turn in the worktree, report the checkpoint before the run ends, and roll files back', async () => {
    const root = dirtyRepo()
    const before = userView(root)
    const { sessions, sent, diffs, calls, end, story, play } = setup(root)
    const wt = worktreePathOf(root, 't1')
    expect(await sessions.carryOut(turnStart('t1', 1))).toMatchObject({ type: 'effect.completed' })
    end(1, 'completed')
    await until(() => story().includes('turn.completed completed'))
    expect(calls[0]).toBe(`open ${wt}`)
    expect(readFileSync(join(wt, 'run-1.txt'), 'utf8')).toBe('written in run 1\n')
    expect(existsSync(join(root, 'run-1.txt'))).toBe(false)
    expect(story()).toEqual(['workspace.features', 'checkpoint 0', 'turn.started', 'checkpoint 1', 'turn.completed completed'])
    expect(sent.find((e) => e.type === 'workspace.features')).toMatchObject({ checkpoints: 'available' })
    expect(sent.find((e) => e.type === 'checkpoint.captured' && e.appRunOrdinal === 1)).toMatchObject({
      runId: 'run:t1:1',
      ref: checkpointRef('t1', 1),
      files: [{ path: 'run-1.txt', kind: 'added', additions: 1, deletions: 0 }],
    })
    expect(diffs.map((d) => [d.subject, d.text.includes('+written in run 1')])).toEqual([['checkpoint', true]])

    await play(2)
    expect(existsSync(join(wt, 'run-2.txt'))).toBe(true)

    const rollback = Effect.parse({
      effectId: 'effect:t1:rollback',
      threadId: 't1',
      body: { kind: 'thread.rollback', checkpointId: 'cp-1', ref: checkpointRef('t1', 1), appRunOrdinal: 1, providerThread: { id: 'pt-1', provider: 'codex', nativeThreadRef: 'n', nativeConversationHeadRef: null }, nativeTurnRefs: ['nt-2'] },
    })
    expect(await sessions.carryOut(rollback)).toMatchObject({ type: 'effect.completed' })
    expect(existsSync(join(wt, 'run-2.txt'))).toBe(false)
    expect(existsSync(join(wt, 'run-1.txt'))).toBe(true)
    expect(calls.at(-1)).toBe('rollback nt-2')
    expect(userView(root)).toEqual(before)
  })

  it('should still end the run when its checkpoint cannot be captured', async () => {
    const root = dirtyRepo()
    const { sessions, end, story } = setup(root)
    const wt = worktreePathOf(root, 't1')
    await sessions.carryOut(turnStart('t1', 1))
    // The worktree loses its git link before the capture: the capture fails, the turn's end is not held back.
    rmSync(join(wt, '.git'))
    end(1, 'completed')
    await until(() => story().includes('turn.completed completed'))
    expect(story()).toEqual(['workspace.features', 'checkpoint 0', 'turn.started', 'turn.completed completed'])
  })

  it('should report checkpoints unavailable and fail a rollback clearly when the root is not a git repository', async () => {
    const root = tempDir('plain')
    const { sessions, sent, calls, play } = setup(root)
    await play(1)
    expect(calls[0]).toBe(`open ${root}`)
    expect(sent.filter((e) => e.type === 'workspace.features' || e.type === 'checkpoint.captured')).toMatchObject([{ type: 'workspace.features', checkpoints: 'unavailable' }])
    const rollback = Effect.parse({
      effectId: 'effect:t1:rollback',
      threadId: 't1',
      body: { kind: 'thread.rollback', checkpointId: 'cp-0', ref: checkpointRef('t1', 0), appRunOrdinal: 0, providerThread: null, nativeTurnRefs: [] },
    })
    expect(await sessions.carryOut(rollback)).toMatchObject({ type: 'effect.failed', failure: { code: 'checkpoints_unavailable' } })
  })
})
