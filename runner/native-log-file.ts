/**
 * @module The file-backed native log: every frame of one provider session as NDJSON in the
 * replay fixture format (../shared/upstream-fixtures/README.md), one file per session, capped
 * at `maxBytes` and rotated (`name.ndjson` is the newest, `name.1.ndjson` the one before, up
 * to `maxFiles` in all). Every file opens with its own `transcript_start`, so each part reads
 * as a fixture on its own. Lines are buffered briefly and written in order.
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { FixtureProtocol, NativeLog } from './native-log.ts'

export type TranscriptHeader = {
  provider: string
  protocol: FixtureProtocol
  version: string
  scenario: string
  metadata: Record<string, unknown>
}

export type NativeLogFileOptions = {
  dir: string
  /** The file's base name, without `.ndjson`. */
  name: string
  header: TranscriptHeader
  /** Largest size of one file (default 8 MiB). */
  maxBytes?: number
  /** Files kept, the newest included (default 3). */
  maxFiles?: number
  /** How long lines wait before they are written (default 100 ms). */
  flushMs?: number
  warn?: (msg: string, fields: Record<string, string>) => void
}

export type NativeLogFile = NativeLog & {
  readonly path: string
  /** Writes what waits now. */
  flush: () => void
  close: () => void
}

const MiB = 1024 * 1024

export const openNativeLogFile = (options: NativeLogFileOptions): NativeLogFile => {
  const maxBytes = options.maxBytes ?? 8 * MiB
  const maxFiles = Math.max(1, options.maxFiles ?? 3)
  const flushMs = options.flushMs ?? 100
  const fileOf = (index: number) => join(options.dir, index === 0 ? `${options.name}.ndjson` : `${options.name}.${index}.ndjson`)
  const path = fileOf(0)
  mkdirSync(options.dir, { recursive: true })

  let fd: number | null = null
  let size = 0
  /** Frames in the current file, its header not counted. */
  let frames = 0
  let part = 1
  let buffer: string[] = []
  let timer: ReturnType<typeof setTimeout> | null = null
  let closed = false

  /** Shifts `name.ndjson` to `name.1.ndjson` and so on; the oldest beyond `maxFiles` goes. */
  const rotate = () => {
    rmSync(fileOf(maxFiles - 1), { force: true })
    for (let i = maxFiles - 2; i >= 0; i--) if (existsSync(fileOf(i))) renameSync(fileOf(i), fileOf(i + 1))
  }

  const start = () => {
    if (maxFiles === 1) rmSync(path, { force: true })
    else rotate()
    fd = openSync(path, 'w')
    size = 0
    frames = 0
    const header = { type: 'transcript_start', ...options.header, metadata: { ...options.header.metadata, part } }
    write(`${JSON.stringify(header)}\n`)
  }

  const write = (chunk: string) => {
    if (fd === null) return
    writeSync(fd, chunk)
    size += Buffer.byteLength(chunk)
  }

  const flush = () => {
    if (timer !== null) clearTimeout(timer)
    timer = null
    if (buffer.length === 0 || fd === null) return
    const lines = buffer
    buffer = []
    try {
      for (const line of lines) {
        // A file already holding more than its header moves aside before it would overflow.
        if (frames > 0 && size + Buffer.byteLength(line) > maxBytes) {
          closeSync(fd)
          part++
          start()
        }
        write(line)
        frames++
      }
    } catch (cause) {
      options.warn?.('native log write failed; dropping its lines', { path, cause: String(cause) })
    }
  }

  const append = (line: Record<string, unknown>) => {
    if (closed) return
    buffer.push(`${JSON.stringify(line)}\n`)
    if (timer === null) {
      timer = setTimeout(flush, flushMs)
      timer.unref()
    }
  }

  start()

  return {
    path,
    outbound: (frame, label) => append(label === undefined ? { type: 'expect_outbound', frame } : { type: 'expect_outbound', label, frame }),
    inbound: (frame, label) => append(label === undefined ? { type: 'emit_inbound', frame } : { type: 'emit_inbound', label, frame }),
    exit: (status, error) => {
      append(error === undefined ? { type: 'runtime_exit', status } : { type: 'runtime_exit', status, error })
      flush()
    },
    flush,
    close: () => {
      if (closed) return
      flush()
      closed = true
      if (fd !== null) closeSync(fd)
      fd = null
    },
  }
}
