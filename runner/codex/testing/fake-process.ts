/** @module An in-memory stand-in for the app-server process: records what is written, lets a test answer. */
import { EventEmitter } from 'node:events'
import { PassThrough } from 'node:stream'
import type { JsonFrame } from '../jsonl-decoder.ts'

/** A fake app-server: collects what the client writes, lets the test write frames back. */
export class FakeProcess extends EventEmitter {
  readonly stdin = new PassThrough()
  readonly stdout = new PassThrough()
  readonly stderr = new PassThrough()
  readonly written: JsonFrame[] = []
  readonly signals: string[] = []
  exitOnStdinEnd = true

  constructor() {
    super()
    let buffered = ''
    this.stdin.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8')
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) this.written.push(JSON.parse(line) as JsonFrame)
    })
    this.stdin.on('end', () => {
      if (this.exitOnStdinEnd) this.exit(0, null)
    })
  }

  send(frame: JsonFrame | string): void {
    this.stdout.write(typeof frame === 'string' ? frame : `${JSON.stringify(frame)}\n`)
  }

  exit(code: number | null, signal: string | null): void {
    this.stdout.end()
    this.stderr.end()
    this.emit('exit', code, signal)
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    this.signals.push(signal)
    if (signal === 'SIGKILL') this.exit(null, signal)
    return true
  }
}
