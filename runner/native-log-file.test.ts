import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openNativeLogFile, type NativeLogFileOptions } from './native-log-file.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const open = (extra: Partial<NativeLogFileOptions> = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-native-log-'))
  dirs.push(dir)
  const header = { provider: 'codex', protocol: 'codex.app-server' as const, version: '0.169.0', scenario: 'live', metadata: { threadId: 't1' } }
  return { dir, log: openNativeLogFile({ dir, name: 't1.codex', header, flushMs: 5, ...extra }) }
}

const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l))

describe('the native log file', () => {
  it('should write the fixture format: transcript_start, then frames in order, then runtime_exit', () => {
    const { log } = open()
    log.outbound({ id: 1, method: 'initialize' }, 'initialize')
    log.inbound({ id: 1, result: {} })
    log.exit('success')
    log.close()
    expect(lines(log.path)).toEqual([
      { type: 'transcript_start', provider: 'codex', protocol: 'codex.app-server', version: '0.169.0', scenario: 'live', metadata: { threadId: 't1', part: 1 } },
      { type: 'expect_outbound', label: 'initialize', frame: { id: 1, method: 'initialize' } },
      { type: 'emit_inbound', frame: { id: 1, result: {} } },
      { type: 'runtime_exit', status: 'success' },
    ])
  })

  it('should write buffered lines after the flush interval', async () => {
    const { log } = open()
    log.inbound({ n: 1 })
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(lines(log.path).map((l) => l.type)).toEqual(['transcript_start', 'emit_inbound'])
    log.close()
  })

  it('should rotate at the size cap, keep maxFiles files, and head each with transcript_start', () => {
    const { dir, log } = open({ maxBytes: 600, maxFiles: 3 })
    for (let i = 0; i < 40; i++) log.inbound({ i, pad: 'x'.repeat(80) })
    log.close()
    expect(readdirSync(dir).sort()).toEqual(['t1.codex.1.ndjson', 't1.codex.2.ndjson', 't1.codex.ndjson'])
    const names = ['t1.codex.2.ndjson', 't1.codex.1.ndjson', 't1.codex.ndjson']
    for (const name of names) expect(readFileSync(join(dir, name)).length).toBeLessThanOrEqual(600)
    const files = names.map((f) => lines(join(dir, f)))
    for (const file of files) expect(file[0].type).toBe('transcript_start')
    // Parts count up and the newest file holds the last frame; nothing is out of order.
    expect(files.map((f) => f[0].metadata.part)).toEqual([files[0]![0].metadata.part, files[0]![0].metadata.part + 1, files[0]![0].metadata.part + 2])
    const frames = files.flatMap((f) => f.slice(1).map((l: any) => l.frame.i))
    expect(frames).toEqual([...frames].sort((a, b) => a - b))
    expect(frames.at(-1)).toBe(39)
  })

  it('should move an earlier session of the same thread and provider aside', () => {
    const { dir, log } = open()
    log.inbound({ session: 1 })
    log.close()
    const second = openNativeLogFile({ dir, name: 't1.codex', header: { provider: 'codex', protocol: 'codex.app-server', version: 'x', scenario: 'live', metadata: {} } })
    second.inbound({ session: 2 })
    second.close()
    expect(lines(join(dir, 't1.codex.1.ndjson'))[1].frame).toEqual({ session: 1 })
    expect(lines(join(dir, 't1.codex.ndjson'))[1].frame).toEqual({ session: 2 })
  })

  it('should keep one oversized frame in a file of its own rather than drop it', () => {
    const { dir, log } = open({ maxBytes: 300, maxFiles: 2 })
    log.inbound({ big: 'y'.repeat(1000) })
    log.inbound({ small: 1 })
    log.close()
    expect(lines(join(dir, 't1.codex.1.ndjson'))[1].frame.big).toHaveLength(1000)
    expect(lines(join(dir, 't1.codex.ndjson'))[1].frame).toEqual({ small: 1 })
  })
})
