import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openNativeLogFile } from '../native-log-file.ts'
import { nativeLogParts, recordFixtureFile, readNativeLog } from './record.ts'
import { replayAgainstItself } from './self-replay.ts'
import { parseTranscript } from './transcript.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
const tmp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-replay-record-'))
  dirs.push(dir)
  return dir
}

/** One live session as the runner logs it; every run allocates fresh ids, times and paths. */
const liveSession = (dir: string, run: number, maxBytes?: number) => {
  const uuid = (n: number) => `019e${String(run).padStart(4, '0')}-0000-7000-8000-${String(n).padStart(12, '0')}`
  const cwd = `/tmp/loom-ws-${run}`
  const log = openNativeLogFile({
    dir,
    name: 'session',
    header: { provider: 'codex', protocol: 'codex.app-server', version: '0.169.0', scenario: 'live', metadata: { threadId: uuid(99) } },
    flushMs: 1,
    ...(maxBytes === undefined ? {} : { maxBytes, maxFiles: 10 }),
  })
  log.outbound({ id: 1, method: 'initialize', params: { clientInfo: { name: 'loom', version: `0.${run}.0` } } })
  log.inbound({ id: 1, result: { codexHome: `/home/u${run}/.codex`, userAgent: `loom/${run}` } })
  log.outbound({ id: 2, method: 'thread/start', params: { cwd } })
  log.inbound({ id: 2, result: { thread: { id: uuid(1), cwd, createdAt: 1000 + run, path: `/home/u${run}/.codex/sessions/2026/11/2${run}/rollout-2026-11-2${run}T10-00-0${run}-${uuid(1)}.jsonl` } } })
  log.outbound({ id: 3, method: 'turn/start', params: { threadId: uuid(1), cwd, input: [{ type: 'text', text: 'hi' }] } })
  log.inbound({ method: 'turn/started', params: { threadId: uuid(1), turn: { id: uuid(2), startedAtMs: 5000 + run } } })
  log.inbound({ method: 'item/completed', emittedAtMs: 6000 + run, params: { threadId: uuid(1), turnId: uuid(2), item: { id: uuid(3), processId: String(4000 + run), durationMs: run, aggregatedOutput: `Chunk ID: c${run}\nWall time: 0.00${run} seconds\nok` } } })
  log.inbound({ method: 'turn/completed', params: { threadId: uuid(1), turn: { id: uuid(2), completedAtMs: 7000 + run } } })
  log.exit('success')
  log.close()
}

describe('recording a native log as a fixture', () => {
  it('should give identical bytes for two recordings of the same session', () => {
    const outs = [1, 2].map((run) => {
      const dir = tmp()
      liveSession(dir, run)
      return recordFixtureFile(dir, 'session', join(dir, 'fixture.ndjson'), { scenario: 'simple' })
    })
    expect(outs[1]).toBe(outs[0])
    const fixture = parseTranscript(outs[0]!, 'fixture')
    expect(fixture.header).toMatchObject({ scenario: 'simple', metadata: { threadId: '<id:1>' } })
    expect(fixture.header.metadata).not.toHaveProperty('part')
    expect(outs[0]).toContain('"path":"<codex-home>/sessions/<date>/rollout-<time>-<id:1>.jsonl"')
    expect(outs[0]).toContain('"cwd":"<cwd>"')
    expect(outs[0]).not.toMatch(/019e|loom-ws|\/home\/u/)
  })

  it('should be idempotent and replay against itself in strict mode', async () => {
    const dir = tmp()
    liveSession(dir, 3)
    const text = recordFixtureFile(dir, 'session', join(dir, 'a.ndjson'))
    const again = recordFixtureFile(dir, 'session', join(dir, 'b.ndjson'))
    expect(readFileSync(join(dir, 'b.ndjson'), 'utf8')).toBe(text)
    expect(again).toBe(text)
    expect(await replayAgainstItself(parseTranscript(text, 'a'), { mode: 'strict' })).toEqual({ outbound: 3, inbound: 5, exits: 1 })
  })

  it('should join rotated parts oldest first', () => {
    const dir = tmp()
    liveSession(dir, 4, 400)
    expect(nativeLogParts(dir, 'session').length).toBeGreaterThan(2)
    const joined = readNativeLog(dir, 'session')
    expect(joined.entries.map((e) => e.type)).toEqual([
      'expect_outbound', 'emit_inbound', 'expect_outbound', 'emit_inbound', 'expect_outbound', 'emit_inbound', 'emit_inbound', 'emit_inbound', 'runtime_exit',
    ])
    const single = tmp()
    liveSession(single, 4)
    expect(recordFixtureFile(dir, 'session', join(dir, 'f.ndjson'))).toBe(recordFixtureFile(single, 'session', join(single, 'f.ndjson')))
  })
  it('should refuse a log whose first parts were rotated away', () => {
    const dir = tmp()
    const log = openNativeLogFile({
      dir,
      name: 'session',
      header: { provider: 'codex', protocol: 'codex.app-server', version: '0.169.0', scenario: 'live', metadata: {} },
      maxBytes: 300,
      maxFiles: 2,
    })
    for (let i = 0; i < 20; i++) log.inbound({ method: 'n', params: { i, pad: 'x'.repeat(60) } })
    log.close()
    expect(() => readNativeLog(dir, 'session')).toThrow(/earlier parts were rotated away/)
  })
})
