/**
 * The git runner's time limit. A hung git is played by a fake `git` script placed first on
 * PATH (a stand-in: a real git hangs only on a held lock or a stuck filter, which cannot be
 * produced on demand); it starts a child that sleeps, so the test also sees the whole process
 * group killed, not only git.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { git, GitError, gitTimeoutMs } from './git.ts'
import { tempDir } from './test-repo.ts'
import { shadowGit } from './hung-git.ts'

const dirs: string[] = []
let restore: (() => void) | null = null
afterEach(() => {
  restore?.()
  restore = null
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** Running, not a zombie waiting for a reaper (in a container, PID 1 may reap late). */
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

describe('git', () => {
  it('should kill a git that hangs, with the children it started, and say it timed out', async () => {
    const dir = tempDir('hung')
    dirs.push(dir)
    const shadow = shadowGit(dir)
    restore = shadow.restore
    const started = Date.now()
    const error = await git(['status'], { cwd: dir, timeoutMs: 300 }).catch((e: unknown) => e)
    const elapsed = Date.now() - started
    expect(error).toBeInstanceOf(GitError)
    expect((error as GitError).timedOut).toBe(true)
    expect((error as GitError).message).toMatch(/timed out/)
    expect(elapsed).toBeGreaterThanOrEqual(290)
    expect(elapsed).toBeLessThan(5000)
    await expect.poll(() => existsSync(shadow.childPidFile)).toBe(true)
    const sleeper = Number(readFileSync(shadow.childPidFile, 'utf8'))
    await expect.poll(() => alive(sleeper), { timeout: 2000 }).toBe(false)
  })

  it('should answer normally within the limit, and take the limit from LOOM_GIT_TIMEOUT_MS', async () => {
    const dir = tempDir('quick')
    dirs.push(dir)
    expect((await git(['--version'], { cwd: dir, timeoutMs: 10_000 })).stdout.toString()).toMatch(/^git version/)
    expect(gitTimeoutMs({ LOOM_GIT_TIMEOUT_MS: '1500' })).toBe(1500)
    expect(gitTimeoutMs({ LOOM_GIT_TIMEOUT_MS: 'soon' })).toBe(120_000)
    expect(gitTimeoutMs({})).toBe(120_000)
  })

  it('should report a failing command with its exit code, not as a timeout', async () => {
    const dir = tempDir('fails')
    dirs.push(dir)
    const error = (await git(['rev-parse', '--verify', 'nope'], { cwd: dir }).catch((e: unknown) => e)) as GitError
    expect(error.timedOut).toBe(false)
    expect(error.code).toBe(128)
  })
})
