/**
 * @module Capturing every native frame a provider's sessions exchange, in order, into one list
 * per provider (whole-system lineage recordings and replays, several threads per provider):
 * Codex at its process boundary (the shared app-server's stdin, stdout and exit: frames of all
 * threads in the order the process saw them, none twice, which is where the replay transport
 * stands in), Claude at each session's native log (one query per thread session, which is what
 * the replay query stands in for).
 */
import { PassThrough } from 'node:stream'
import type { ProviderKind } from '../../src/contracts/index.ts'
import type { ProviderAdapter } from '../../runner/adapter.ts'
import type { RunnerAdapter } from '../../runner/adapters/registry.ts'
import { createLineSplitter } from '../../runner/codex/line-splitter.ts'
import type { CodexProcess } from '../../runner/codex/rpc-client.ts'
import type { NativeLog } from '../../runner/native-log.ts'
import type { TranscriptEntry } from '../../runner/replay/index.ts'

export type CapturedFrames = Map<ProviderKind, TranscriptEntry[]>

type NewEntry = { type: 'expect_outbound' | 'emit_inbound'; frame: unknown } | { type: 'runtime_exit'; status: 'success' | 'error' | 'cancelled'; error?: string }

const push = (entries: TranscriptEntry[], entry: NewEntry): void => void entries.push({ ...entry, line: entries.length + 2 } as TranscriptEntry)

/** A copy taken now: a frame object may change after it was logged. */
const snapshot = (frame: unknown): unknown => JSON.parse(JSON.stringify(frame))

/** `child` (a real app-server or a replay one) with its stdio tapped: each JSONL line in and out, and its exit, become entries. */
export const tapProcess = (child: CodexProcess, entries: TranscriptEntry[]): CodexProcess => {
  const stdin = new PassThrough()
  const stdout = new PassThrough()
  const out = createLineSplitter((line) => void (line.trim() && push(entries, { type: 'expect_outbound', frame: JSON.parse(line) })))
  const inn = createLineSplitter((line) => void (line.trim() && push(entries, { type: 'emit_inbound', frame: JSON.parse(line) })))
  stdin.on('data', (chunk: Buffer) => {
    out.push(chunk)
    child.stdin.write(chunk)
  })
  stdin.on('finish', () => child.stdin.end())
  // A process that is gone refuses writes; its exit is what tells the client.
  child.stdin.on('error', () => undefined)
  child.stdout.on('data', (chunk: Buffer) => {
    inn.push(chunk)
    stdout.write(chunk)
  })
  child.stdout.on('end', () => stdout.end())
  child.once('exit', (code, signal) =>
    push(entries, code === 0 ? { type: 'runtime_exit', status: 'success' } : signal ? { type: 'runtime_exit', status: 'cancelled' } : { type: 'runtime_exit', status: 'error', error: `exit code ${String(code)}` }),
  )
  return {
    stdin,
    stdout,
    stderr: child.stderr,
    kill: (signal) => child.kill(signal),
    once: (event: 'exit' | 'error', listener: (...args: never[]) => void) => child.once(event as 'exit', listener as () => void),
  } as CodexProcess
}

/** A session log that also appends to `entries`. */
export const teeLog = (log: NativeLog, entries: TranscriptEntry[]): NativeLog => ({
  outbound: (frame, label) => {
    push(entries, { type: 'expect_outbound', frame: snapshot(frame) })
    log.outbound(frame, label)
  },
  inbound: (frame, label) => {
    push(entries, { type: 'emit_inbound', frame: snapshot(frame) })
    log.inbound(frame, label)
  },
  exit: (status, error) => {
    push(entries, error === undefined ? { type: 'runtime_exit', status } : { type: 'runtime_exit', status, error })
    log.exit(status, error)
  },
})

/** `adapter` with every session's native log teed into `entries` (Claude). */
export const teeSessions = (adapter: ProviderAdapter & RunnerAdapter, entries: TranscriptEntry[]): RunnerAdapter => ({
  provider: adapter.provider,
  capabilities: adapter.capabilities,
  status: () => adapter.status(),
  openSession: (options) => adapter.openSession({ ...options, log: teeLog(options.log, entries) }),
})
