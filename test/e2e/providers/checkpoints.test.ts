/**
 * Checkpoints through the whole system, for each provider: the worker in Miniflare, a real
 * `loom-runner` serving a git repository with uncommitted and untracked files, the real
 * provider binary against the fake model server. The agent writes a file in the thread's
 * worktree; the checkpoint shows the file's stats, the diff routes return its diff, the user's
 * own tree, index and HEAD stay as they were, and a rollback takes the file away again.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { refSegment } from '../../../runner/checkpoints/refs.ts'
import { filesUnder, sh, userView, write } from '../../../runner/checkpoints/test-repo.ts'
import { api, dispatch } from '../support/client.ts'
import { PROVIDERS, useProviderE2E } from '../support/provider-e2e.ts'

const e2e = useProviderE2E()

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Turns the test's workspace into a repository with a commit, an uncommitted edit, a staged file and an untracked one. */
const makeRepo = (dir: string) => {
  sh(dir, 'init', '--quiet', '--initial-branch=main')
  write(dir, 'README.md', 'project\n')
  sh(dir, 'add', 'README.md')
  sh(dir, 'commit', '--quiet', '-m', 'first')
  write(dir, 'README.md', 'project, edited but not committed\n')
  write(dir, 'staged.txt', 'staged\n')
  sh(dir, 'add', 'staged.txt')
  write(dir, 'scratch/untracked.txt', 'untracked\n')
}

/** The user's side without `git status` (the runner's own `.loom/` is excluded from status only once it makes a worktree). */
const userSide = (dir: string) => {
  const { status: _status, ...rest } = userView(dir)
  return rest
}

const getDiff = async (base: string, tok: string, path: string) => {
  const response = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${tok}` } })
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() }
}

describe.each(PROVIDERS)('%s: checkpoints', (provider) => {
  it('should checkpoint the agent file in the thread worktree, serve its diff, and roll it back', async () => {
    const t = await e2e().thread(provider, { runtimeMode: 'auto-accept-edits' })
    makeRepo(t.ws.dir)
    const before = userSide(t.ws.dir)
    const worktree = join(t.ws.dir, '.loom', 'worktrees', refSegment(t.threadId))

    await t.send(`${t.profile.writeFile('notes.txt', 'written by the agent')} write it`)
    const run = await t.run(1, ['completed', 'failed', 'interrupted'], 60_000)
    expect(run).toMatchObject({ status: 'completed', failure: null })
    // The checkpoint is reported before the run's end, so a completed run already names it.
    const p = t.projection()
    expect(p.thread.checkpoints).toBe('available')
    const completed = p.runs.find((r) => r.ordinal === 1)
    const checkpoint = p.checkpoints.find((c) => c.appRunOrdinal === 1)
    expect(completed?.checkpointId).toBe(checkpoint?.id)
    expect(checkpoint).toMatchObject({ status: 'ready', runId: run.id, files: [{ path: 'notes.txt', kind: 'added', additions: 1, deletions: 0 }] })
    expect(p.checkpoints.find((c) => c.appRunOrdinal === 0)).toMatchObject({ status: 'ready', files: [] })

    // The agent worked in the worktree, which started from the user's working state.
    expect(readFileSync(join(worktree, 'notes.txt'), 'utf8').trimEnd()).toBe('written by the agent')
    expect(readFileSync(join(worktree, 'README.md'), 'utf8')).toBe('project, edited but not committed\n')
    expect(existsSync(join(worktree, 'scratch', 'untracked.txt'))).toBe(true)
    expect(existsSync(join(t.ws.dir, 'notes.txt'))).toBe(false)
    expect(userSide(t.ws.dir)).toEqual(before)

    const checkpointDiff = await getDiff(t.url, t.ws.userToken, `/v1/threads/${t.threadId}/checkpoints/${encodeURIComponent(checkpoint!.id)}/diff`)
    expect(checkpointDiff).toMatchObject({ status: 200, type: expect.stringContaining('text/x-diff') })
    expect(checkpointDiff.text).toContain('diff --git a/notes.txt b/notes.txt')
    expect(checkpointDiff.text).toContain('+written by the agent')
    // Diff parts travel beside the batches; give the last one a moment if the checkpoint came first.
    let runDiff = await getDiff(t.url, t.ws.userToken, `/v1/threads/${t.threadId}/runs/${encodeURIComponent(run.id)}/diff`)
    for (let i = 0; i < 20 && runDiff.status !== 200; i++) {
      await sleep(100)
      runDiff = await getDiff(t.url, t.ws.userToken, `/v1/threads/${t.threadId}/runs/${encodeURIComponent(run.id)}/diff`)
    }
    expect(runDiff.text).toBe(checkpointDiff.text)

    const atStart = filesUnder(worktree)
    delete atStart['notes.txt']
    const baseline = p.checkpoints.find((c) => c.appRunOrdinal === 0)!
    expect(await dispatch(t.url, t.ws.userToken, { type: 'checkpoint.rollback', threadId: t.threadId, checkpointId: baseline.id })).toMatchObject({ sequence: expect.any(Number) })
    const deadline = Date.now() + 20_000
    while (existsSync(join(worktree, 'notes.txt')) && Date.now() < deadline) await sleep(50)
    expect(filesUnder(worktree)).toEqual(atStart)
    const after = await api(t.url, t.ws.userToken, `/v1/threads/${t.threadId}`)
    expect(after.body.runs.find((r: any) => r.ordinal === 1).status).toBe('rolled_back')
    expect(after.body.checkpoints.find((c: any) => c.appRunOrdinal === 1).status).toBe('stale')
    expect(userSide(t.ws.dir)).toEqual(before)

    // The thread continues from the restored files: the next checkpoint is taken against the baseline.
    await t.send(`${t.profile.writeFile('other.txt', 'after the rollback')} write it`)
    expect(await t.run(2, ['completed', 'failed', 'interrupted'], 60_000)).toMatchObject({ status: 'completed' })
    const next = t.projection().checkpoints.find((c) => c.appRunOrdinal === 2)
    expect(next).toMatchObject({ status: 'ready', files: [{ path: 'other.txt', kind: 'added', additions: 1, deletions: 0 }] })
    expect(existsSync(join(worktree, 'notes.txt'))).toBe(false)
    expect(userSide(t.ws.dir)).toEqual(before)
  })
})
