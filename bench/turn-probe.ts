/**
 * @module Preloaded into the `loom-runner` process by bench/turns.ts (`node --import`), so the
 * benchmark can tell where a turn's time goes without changing the runner: it timestamps the
 * frames of the runner's thread links (turn.start effects in, batches out, acks in) and the
 * provider's stdio (Codex `turn/start` written and `turn/completed` read; Claude's user
 * message written and its `result` read), and writes each as a `PROBE {…}` line to stderr.
 * Times are `performance.timeOrigin + performance.now()` (epoch ms with fractions), the same
 * clock the benchmark reads. What the runner sends and receives is left exactly as it was.
 */
import type { ChildProcess } from 'node:child_process'
import { createRequire, syncBuiltinESMExports } from 'node:module'

const now = (): number => performance.timeOrigin + performance.now()
const probe = (p: string, t: number, fields: Record<string, unknown> = {}): void => {
  process.stderr.write(`PROBE ${JSON.stringify({ p, t, ...fields })}\n`)
}

// Thread links: the timestamp is taken before the runner's own listener (added later) runs.
type Sock = { send(data: string): void; addEventListener(type: 'message', listener: (event: { data?: unknown }) => void): void }
const Base = globalThis.WebSocket as unknown as new (url: string | URL, init?: unknown) => Sock

const received = (data: unknown): void => {
  const t = now()
  if (typeof data !== 'string' || data === 'pong') return
  try {
    const frame = JSON.parse(data) as { type?: string; seq?: number; effect?: { body?: { kind?: string; runId?: string } } }
    if (frame.type === 'ack') probe('ack', t, { seq: frame.seq })
    else if (frame.type === 'effect' && frame.effect?.body?.kind === 'turn.start') probe('effect', t, { runId: frame.effect.body.runId })
  } catch {
    // Not JSON: the runner reports it itself.
  }
}

const sent = (data: string): void => {
  const t = now()
  if (!data.startsWith('{"type":"batch"')) return
  const frame = JSON.parse(data) as { seq: number; events: Array<{ type: string }> }
  probe('batch', t, { seq: frame.seq, types: frame.events.map((e) => e.type) })
}

class ProbedWebSocket extends Base {
  #link: boolean
  constructor(url: string | URL, init?: unknown) {
    super(url, init)
    this.#link = String(url).includes('/link')
    if (this.#link) this.addEventListener('message', (event) => received(event.data))
  }

  override send(data: string): void {
    if (this.#link && typeof data === 'string') sent(data)
    super.send(data)
  }
}
globalThis.WebSocket = ProbedWebSocket as unknown as typeof globalThis.WebSocket

// Provider stdio: wrap stdin.write and stdout.emit('data'), which sees every chunk however the
// reader consumes it, without switching the stream to flowing mode as a listener would.
const text = (chunk: unknown): string => (typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8') : '')

const watch = (child: ChildProcess): void => {
  const stdin = child.stdin
  if (stdin) {
    const write = stdin.write as (...args: unknown[]) => boolean
    stdin.write = function (this: unknown, ...args: unknown[]): boolean {
      const t = now()
      const s = text(args[0])
      if (s.includes('"method":"turn/start"')) probe('provider.out', t, { what: 'turn/start' })
      else if (s.includes('"type":"user"')) probe('provider.out', t, { what: 'user' })
      return write.apply(this, args)
    } as typeof stdin.write
  }
  const stdout = child.stdout
  if (stdout) {
    const emit = stdout.emit as (...args: unknown[]) => boolean
    stdout.emit = function (this: unknown, ...args: unknown[]): boolean {
      if (args[0] === 'data') {
        const t = now()
        const s = text(args[1])
        if (s.includes('"method":"turn/completed"')) probe('provider.in', t, { what: 'turn/completed' })
        else if (s.includes('"type":"result"')) probe('provider.in', t, { what: 'result' })
      }
      return emit.apply(this, args)
    } as typeof stdout.emit
  }
}

const childProcess = createRequire(import.meta.url)('node:child_process') as { spawn: (...args: unknown[]) => ChildProcess }
const spawn = childProcess.spawn
childProcess.spawn = function (this: unknown, ...args: unknown[]): ChildProcess {
  const child = spawn.apply(this, args)
  watch(child)
  return child
}
// The runner imports `spawn` by name; this makes the ES module binding follow the change.
syncBuiltinESMExports()
