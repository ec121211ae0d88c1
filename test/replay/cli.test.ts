/**
 * `scripts/replay.ts` as a user runs it (a child process): exit 0 with a summary on `simple`,
 * exit 1 with a clear message on a malformed transcript and on a projection that breaks an
 * invariant (the recording cut before the turn completes leaves the run running).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../../scripts/local-worker.ts'
import { bundleReplayWorker } from '../../scripts/replay/worker.ts'
import { corpusFile } from './support/corpus.ts'

const dir = mkdtempSync(join(tmpdir(), 'loom-replay-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
// One bundle for all the runs below (each would build its own).
beforeAll(() => bundleReplayWorker())

const replay = (...args: string[]) => {
  const env = { ...process.env, LOOM_REPLAY_BUNDLED: '1' }
  const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'replay.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

describe('npm run replay', () => {
  it('exits 1 on a malformed transcript, naming the line', () => {
    const file = join(dir, 'malformed.ndjson')
    const lines = readFileSync(corpusFile('simple', 'codex'), 'utf8').split('\n')
    writeFileSync(file, [lines[0], lines[1], '{"type":"emit_inbound", broken', ...lines.slice(2)].join('\n'))
    const run = replay(file)
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/malformed transcript: .*malformed\.ndjson:3: bad JSON/)
  })

  it('exits 1 when the projection breaks an invariant: a run left running after the transcript ended', () => {
    const file = join(dir, 'cut.ndjson')
    const lines = readFileSync(corpusFile('simple', 'codex'), 'utf8').split('\n')
    writeFileSync(file, lines.slice(0, lines.findIndex((l) => l.includes('"turn/completed"'))).join('\n'))
    const run = replay(file)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('invariant broken: run 1 (run:thread-replay:1) is left running after the transcript ended')
  })

  it('exits 0 on simple and prints the runs, items and requests', () => {
    const run = replay(corpusFile('simple', 'codex'))
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('run 1: completed')
    expect(run.stdout).toContain('assistant_message [completed] "fixture simple ok"')
    expect(run.stdout).toContain('runtime requests (0):')
    expect(run.stdout).toContain('failures (0):')
  })

  it('--json prints the full projection and nothing else', () => {
    const run = replay(corpusFile('simple', 'claude'), '--json')
    expect(run.code).toBe(0)
    const projection = JSON.parse(run.stdout)
    expect(projection.runs.map((r: { status: string }) => r.status)).toEqual(['completed'])
  })
})
