/**
 * `scripts/replay.ts` as a user runs it (a child process): exit 0 with a summary on `simple`,
 * exit 1 with a clear message on a malformed transcript and on a projection that breaks an
 * invariant (the recording cut before the turn completes leaves the run running). The four
 * child processes run at once (each mostly waits on its replay), each test judges its own.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../../scripts/local-worker.ts'
import { bundleReplayWorker } from '../../scripts/replay/worker.ts'
import { corpusFile } from './support/corpus.ts'

type Exit = { code: number | null; stdout: string; stderr: string }

const dir = mkdtempSync(join(tmpdir(), 'loom-replay-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** `node scripts/replay.ts ...args` with this Node (npm would add a second or so per run). */
const replay = (...args: string[]): Promise<Exit> =>
  new Promise((resolve, reject) => {
    const env = { ...process.env, LOOM_REPLAY_BUNDLED: '1' }
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'replay.ts'), ...args], { cwd: ROOT, env, timeout: 60_000 })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })

const simpleLines = (): string[] => readFileSync(corpusFile('simple', 'codex'), 'utf8').split('\n')

let runs: Record<'malformed' | 'cut' | 'simple' | 'json', Promise<Exit>>

beforeAll(() => {
  // One bundle for all the runs below (each would build its own).
  bundleReplayWorker()
  const malformed = join(dir, 'malformed.ndjson')
  const lines = simpleLines()
  writeFileSync(malformed, [lines[0], lines[1], '{"type":"emit_inbound", broken', ...lines.slice(2)].join('\n'))
  const cut = join(dir, 'cut.ndjson')
  writeFileSync(cut, lines.slice(0, lines.findIndex((l) => l.includes('"turn/completed"'))).join('\n'))
  runs = { malformed: replay(malformed), cut: replay(cut), simple: replay(corpusFile('simple', 'codex')), json: replay(corpusFile('simple', 'claude'), '--json') }
}, 60_000)

describe('npm run replay', () => {
  it('exits 1 on a malformed transcript, naming the line', async () => {
    const run = await runs.malformed
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/malformed transcript: .*malformed\.ndjson:3: bad JSON/)
  })

  it('exits 1 when the projection breaks an invariant: a run left running after the transcript ended', async () => {
    const run = await runs.cut
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('invariant broken: run 1 (run:thread-replay:1) is left running after the transcript ended')
  })

  it('exits 0 on simple and prints the runs, items and requests', async () => {
    const run = await runs.simple
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('run 1: completed')
    expect(run.stdout).toContain('assistant_message [completed] "fixture simple ok"')
    expect(run.stdout).toContain('runtime requests (0):')
    expect(run.stdout).toContain('failures (0):')
  })

  it('--json prints the full projection and nothing else', async () => {
    const run = await runs.json
    expect(run.code).toBe(0)
    const projection = JSON.parse(run.stdout)
    expect(projection.runs.map((r: { status: string }) => r.status)).toEqual(['completed'])
  })
})
