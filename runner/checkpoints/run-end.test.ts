/**
 * How a run's end and its checkpoint meet, with real git in temp repositories and the session
 * host: a run that failed or was interrupted gets its own checkpoint (its files are not blamed
 * on the next run), and a capture whose git hangs ends the run anyway, with a warning, once the
 * time limit kills git. The hung git is a fake `git` first on PATH (hung-git.ts says why).
 */
import { rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { checkpointRef } from './refs.ts'
import { shadowGit } from './hung-git.ts'
import { standInHost, turnStart, until } from './stand-in-host.ts'
import { dirtyRepo, tempDir } from './test-repo.ts'

const dirs: string[] = []
const restores: Array<() => void> = []
afterEach(() => {
  for (const restore of restores.splice(0)) restore()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('a run that does not complete', () => {
  it('should get its own checkpoint when it failed or was interrupted, so the next run shows only its own files', async () => {
    const root = dirtyRepo()
    dirs.push(root)
    const host = standInHost('t1', root, dirs)
    await host.play(1, 'failed')
    await host.play(2, 'interrupted')
    await host.play(3, 'completed')
    expect(host.story()).toEqual([
      'workspace.features',
      'checkpoint 0',
      'turn.started',
      'checkpoint 1',
      'turn.completed failed',
      'turn.started',
      'checkpoint 2',
      'turn.completed interrupted',
      'turn.started',
      'checkpoint 3',
      'turn.completed completed',
    ])
    const files = (n: number) => host.sent.find((e) => e.type === 'checkpoint.captured' && e.appRunOrdinal === n)
    expect(files(1)).toMatchObject({ runId: 'run:t1:1', ref: checkpointRef('t1', 1), files: [{ path: 'run-1.txt', kind: 'added' }] })
    expect(files(2)).toMatchObject({ runId: 'run:t1:2', files: [{ path: 'run-2.txt', kind: 'added' }] })
    expect(files(3)).toMatchObject({ runId: 'run:t1:3', files: [{ path: 'run-3.txt', kind: 'added', additions: 1, deletions: 0 }] })
    expect(host.diffs.map((d) => [d.subject, d.id, (d.text.match(/^\+\+\+ b\/(.*)$/gm) ?? []).join(',')])).toEqual([
      ['checkpoint', expect.any(String), '+++ b/run-1.txt'],
      ['checkpoint', expect.any(String), '+++ b/run-2.txt'],
      ['checkpoint', expect.any(String), '+++ b/run-3.txt'],
    ])
  })

  it('should not capture for a run the runner itself ends at shutdown', async () => {
    const root = dirtyRepo()
    dirs.push(root)
    const host = standInHost('t1', root, dirs)
    await host.sessions.carryOut(turnStart('t1', 1))
    await host.sessions.closeAll('server_shutdown')
    expect(host.story()).toEqual(['workspace.features', 'checkpoint 0', 'turn.started', 'turn.completed interrupted'])
  })

  it('should end a run once when the runner shuts down while its checkpoint is being captured', async () => {
    const root = dirtyRepo()
    dirs.push(root)
    const host = standInHost('t1', root, dirs)
    await host.sessions.carryOut(turnStart('t1', 1))
    host.end(1, 'completed')
    expect(host.story()).not.toContain('turn.completed completed') // held while the capture runs
    await host.sessions.closeAll('server_shutdown')
    await until(() => host.story().includes('turn.completed completed'))
    await new Promise((r) => setTimeout(r, 50))
    expect(host.story()).toEqual(['workspace.features', 'checkpoint 0', 'turn.started', 'checkpoint 1', 'turn.completed completed'])
    expect(host.sessions.activeRuns).toBe(0)
  })

  it('should end the run, with a warning and without a checkpoint, when git hangs during the capture', async () => {
    const root = dirtyRepo()
    dirs.push(root)
    const host = standInHost('t1', root, dirs)
    await host.sessions.carryOut(turnStart('t1', 1))
    const before = process.env.LOOM_GIT_TIMEOUT_MS
    process.env.LOOM_GIT_TIMEOUT_MS = '500'
    restores.push(() => (before === undefined ? delete process.env.LOOM_GIT_TIMEOUT_MS : (process.env.LOOM_GIT_TIMEOUT_MS = before)))
    const fake = tempDir('hung-git')
    dirs.push(fake)
    restores.push(shadowGit(fake).restore)
    const ended = Date.now()
    host.end(1, 'completed')
    expect(host.story()).not.toContain('turn.completed completed') // held while the capture runs
    await until(() => host.story().includes('turn.completed completed'), 10_000)
    const heldFor = Date.now() - ended
    expect(heldFor).toBeGreaterThanOrEqual(450)
    expect(heldFor).toBeLessThan(5000)
    expect(host.story()).toEqual(['workspace.features', 'checkpoint 0', 'turn.started', 'turn.completed completed'])
    expect(host.log.lines.find((l) => l.msg === 'checkpoint capture failed')?.fields.cause).toMatch(/timed out/)
    expect(host.sessions.activeRuns).toBe(0)
  })

  it('should fail the turn start, not run in the user folder, when git hangs before the first run', async () => {
    const root = dirtyRepo()
    dirs.push(root)
    const host = standInHost('t1', root, dirs)
    const before = process.env.LOOM_GIT_TIMEOUT_MS
    process.env.LOOM_GIT_TIMEOUT_MS = '300'
    restores.push(() => (before === undefined ? delete process.env.LOOM_GIT_TIMEOUT_MS : (process.env.LOOM_GIT_TIMEOUT_MS = before)))
    const fake = tempDir('hung-git')
    dirs.push(fake)
    restores.push(shadowGit(fake).restore)
    const outcome = await host.sessions.carryOut(turnStart('t1', 1))
    expect(outcome).toMatchObject({ type: 'effect.failed', failure: { code: 'worktree_failed' } })
    expect(outcome.type === 'effect.failed' && outcome.failure.message).toMatch(/timed out/)
    expect(host.calls).toEqual([]) // no session opened, in the user's folder or anywhere
    expect(host.story()).toEqual([])
  })
})
