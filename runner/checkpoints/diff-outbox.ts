/**
 * @module Diffs on their way to the thread: each part is sent when the link is welcomed and
 * sent again after every reconnect until the thread says it stored it (`diff.stored`). With a
 * store (diff-store.ts) the waiting parts are also on disk, so a runner that dies before the
 * acknowledgement sends them after it starts again; without one, or when the disk refuses,
 * they live in memory only.
 */
import type { DiffSubject, LinkClientFrame } from '../../src/contracts/index.ts'
import { splitDiff } from './diff-parts.ts'
import type { DiffStore } from './diff-store.ts'
import type { DiffText } from './thread-checkpoints.ts'

export type DiffFrame = Extract<LinkClientFrame, { type: 'diff' }>

export type DiffOutboxOptions = {
  store?: DiffStore
  warn?: (msg: string, fields: Record<string, string>) => void
}

const keyOf = (subject: DiffSubject, id: string, part: number) => `${subject}\0${id}\0${part}`

export class DiffOutbox {
  private readonly pending = new Map<string, DiffFrame>()
  private readonly send: (frame: DiffFrame) => void
  private readonly options: DiffOutboxOptions

  /** `send` may drop a frame (link down): `resend` after the next welcome tries again. Parts a store kept are pending from the start. */
  constructor(send: (frame: DiffFrame) => void, options: DiffOutboxOptions = {}) {
    this.send = send
    this.options = options
    for (const frame of this.disk('load', () => options.store?.load() ?? []) ?? []) this.pending.set(keyOf(frame.subject, frame.id, frame.part), frame)
  }

  get size(): number {
    return this.pending.size
  }

  push(diff: DiffText): void {
    const { parts, truncated } = splitDiff(diff.text)
    parts.forEach((text, part) => {
      const frame: DiffFrame = { type: 'diff', subject: diff.subject, id: diff.id, part, parts: parts.length, truncated, text }
      this.pending.set(keyOf(diff.subject, diff.id, part), frame)
      this.disk('save', () => this.options.store?.save(frame))
      this.send(frame)
    })
  }

  stored(subject: DiffSubject, id: string, part: number): void {
    this.pending.delete(keyOf(subject, id, part))
    this.disk('drop', () => this.options.store?.drop(subject, id, part))
  }

  /** Forgets every waiting part, on disk too (the thread is gone). */
  clear(): void {
    this.pending.clear()
    this.disk('clear', () => this.options.store?.clear())
  }

  resend(): void {
    for (const frame of this.pending.values()) this.send(frame)
  }

  /** A disk failure costs only the restart guarantee: the part still waits in memory. */
  private disk<T>(what: string, work: () => T): T | undefined {
    try {
      return work()
    } catch (cause) {
      this.options.warn?.(`could not ${what} a pending diff part`, { dir: this.options.store?.dir ?? '', cause: String(cause) })
      return undefined
    }
  }
}
