import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_DIFF_PART_CHARS } from '../../src/contracts/index.ts'
import { DiffOutbox, type DiffFrame } from './diff-outbox.ts'
import { DiffStore } from './diff-store.ts'

describe('DiffOutbox', () => {
  it('should send every part, resend the unstored ones, and forget stored ones', () => {
    const sent: DiffFrame[] = []
    const outbox = new DiffOutbox((frame) => void sent.push(frame))
    outbox.push({ subject: 'checkpoint', id: 'cp-1', text: 'a'.repeat(MAX_DIFF_PART_CHARS + 5) })
    expect(sent.map((f) => [f.id, f.part, f.parts, f.text.length, f.truncated])).toEqual([
      ['cp-1', 0, 2, MAX_DIFF_PART_CHARS, false],
      ['cp-1', 1, 2, 5, false],
    ])
    outbox.stored('checkpoint', 'cp-1', 0)
    sent.length = 0
    outbox.resend()
    expect(sent.map((f) => f.part)).toEqual([1])
    outbox.stored('checkpoint', 'cp-1', 1)
    expect(outbox.size).toBe(0)
  })
})

describe('DiffOutbox with a store on disk', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
  const storeDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'loom-diffs-'))
    dirs.push(dir)
    return join(dir, 'diffs', 't1')
  }

  it('should resend, from a new instance on the same folder, what an earlier one had not had acknowledged', () => {
    const dir = storeDir()
    const first = new DiffOutbox(() => undefined, { store: new DiffStore(dir) })
    first.push({ subject: 'checkpoint', id: 'cp-1', text: 'a'.repeat(MAX_DIFF_PART_CHARS + 5) })
    first.push({ subject: 'run', id: 'run-2', text: 'diff --git a/x b/x\n+é\n' })
    first.stored('checkpoint', 'cp-1', 0)
    expect(readdirSync(dir)).toHaveLength(2)
    // The runner died here; the next process reads the folder.
    const sent: DiffFrame[] = []
    const second = new DiffOutbox((frame) => void sent.push(frame), { store: new DiffStore(dir) })
    expect(second.size).toBe(2)
    expect(sent).toEqual([])
    second.resend()
    expect(sent.map((f) => [f.subject, f.id, f.part, f.parts, f.text.length])).toEqual([
      ['checkpoint', 'cp-1', 1, 2, 5],
      ['run', 'run-2', 0, 1, 22],
    ])
    expect(sent[1]?.text).toBe('diff --git a/x b/x\n+é\n')
    second.stored('checkpoint', 'cp-1', 1)
    second.stored('run', 'run-2', 0)
    expect(readdirSync(dir)).toEqual([])
    expect(new DiffOutbox(() => undefined, { store: new DiffStore(dir) }).size).toBe(0)

    second.push({ subject: 'run', id: 'run-3', text: 'z' })
    second.clear()
    expect(second.size).toBe(0)
    expect(existsSync(dir)).toBe(false)
    expect(new DiffOutbox(() => undefined, { store: new DiffStore(dir) }).size).toBe(0)
  })

  it('should drop a part file a crash cut short, and keep working in memory when the disk refuses', () => {
    const dir = storeDir()
    new DiffOutbox(() => undefined, { store: new DiffStore(dir) }).push({ subject: 'run', id: 'r', text: 'x' })
    writeFileSync(join(dir, 'cut.json'), '{"savedAt":1,"order":0,"frame":{"type":"di')
    writeFileSync(join(dir, 'half.json.123.tmp'), '{')
    expect(new DiffOutbox(() => undefined, { store: new DiffStore(dir) }).size).toBe(1)
    expect(readdirSync(dir)).toHaveLength(1)

    const blocked = join(storeDir(), 'file')
    mkdirSync(dirname(blocked), { recursive: true })
    writeFileSync(blocked, 'a file where the folder should be')
    const warnings: string[] = []
    const sent: DiffFrame[] = []
    const outbox = new DiffOutbox((frame) => void sent.push(frame), { store: new DiffStore(join(blocked, 'sub')), warn: (msg) => void warnings.push(msg) })
    outbox.push({ subject: 'run', id: 'r', text: 'y' })
    expect(sent).toHaveLength(1)
    expect(outbox.size).toBe(1)
    expect(warnings).toEqual(['could not save a pending diff part'])
  })
})
