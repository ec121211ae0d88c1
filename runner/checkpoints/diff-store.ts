/**
 * @module Diff parts the thread has not acknowledged yet, on disk: one small file per part
 * (at most MAX_DIFF_PART_CHARS of text) in the runner's state folder, written whole (a
 * temporary file renamed over), removed when the thread says it stored the part. A runner
 * that dies before the acknowledgement finds them again when it starts.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { LinkClientFrame, type DiffSubject } from '../../src/contracts/index.ts'
import type { DiffFrame } from './diff-outbox.ts'

const Saved = z.object({ savedAt: z.number(), order: z.number(), frame: LinkClientFrame })

const fileName = (subject: DiffSubject, id: string, part: number): string =>
  `${createHash('sha256').update(`${subject}\0${id}\0${part}`).digest('hex').slice(0, 40)}.json`

export class DiffStore {
  readonly dir: string
  /** Orders parts saved within the same millisecond. */
  private saves = 0

  constructor(dir: string) {
    this.dir = dir
  }

  /** Every part still waiting, oldest first; a file that is not a diff part (cut short by a crash) is removed. */
  load(): DiffFrame[] {
    if (!existsSync(this.dir)) return []
    const saved: Array<{ savedAt: number; order: number; frame: DiffFrame }> = []
    for (const name of readdirSync(this.dir)) {
      const path = join(this.dir, name)
      if (!name.endsWith('.json')) {
        rmSync(path, { force: true }) // a temporary file a crash left
        continue
      }
      const parsed = (() => {
        try {
          return Saved.safeParse(JSON.parse(readFileSync(path, 'utf8')))
        } catch {
          return null
        }
      })()
      if (parsed?.success && parsed.data.frame.type === 'diff') saved.push({ ...parsed.data, frame: parsed.data.frame })
      else rmSync(path, { force: true })
    }
    return saved.sort((a, b) => a.savedAt - b.savedAt || a.order - b.order).map((s) => s.frame)
  }

  save(frame: DiffFrame): void {
    mkdirSync(this.dir, { recursive: true })
    const path = join(this.dir, fileName(frame.subject, frame.id, frame.part))
    const temporary = `${path}.${process.pid}.tmp`
    writeFileSync(temporary, JSON.stringify({ savedAt: Date.now(), order: this.saves++, frame }))
    renameSync(temporary, path)
  }

  clear(): void {
    rmSync(this.dir, { recursive: true, force: true })
  }

  drop(subject: DiffSubject, id: string, part: number): void {
    rmSync(join(this.dir, fileName(subject, id, part)), { force: true })
  }
}
