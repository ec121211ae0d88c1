/** @module Minimal JSONL JSON-RPC client for a spawned `codex app-server` (smoke tests only). */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createInterface } from 'node:readline'
import { codexApiKeyEnv } from '../../fixtures/fake-models/codex-home.ts'

/** A message from the app-server: a notification, a server request, or a response. */
export interface RpcMessage {
  id?: number | string
  method?: string
  params?: Record<string, unknown>
  result?: Record<string, unknown>
  error?: { code: number; message: string }
}

/** A running app-server with a request/notification API. */
export interface CodexClient {
  request(method: string, params?: unknown): Promise<Record<string, unknown>>
  notify(method: string, params?: unknown): void
  /** Answers a server→client request. */
  respond(id: number | string, result: unknown): void
  /** Every message received, in order. */
  received: RpcMessage[]
  /** Resolves with the first received message (past or future) matching `predicate`. */
  waitFor(predicate: (m: RpcMessage) => boolean, timeoutMs?: number): Promise<RpcMessage>
  stderr(): string
  /** Kills the process group and waits for the exit. */
  close(): Promise<void>
}

/** Path of the Codex shim installed by the pinned `@openai/codex`. */
export const codexBin = new URL('../../node_modules/.bin/codex', import.meta.url).pathname

/** Spawns `codex app-server` with only the given environment (plus PATH) and does the handshake. */
export async function startCodex(env: { CODEX_HOME: string; HOME: string; TMPDIR: string }): Promise<CodexClient> {
  const child: ChildProcessWithoutNullStreams = spawn(codexBin, ['app-server'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env, [codexApiKeyEnv]: 'test-key', RUST_LOG: 'warn' },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  })
  const received: RpcMessage[] = []
  const listeners = new Set<(m: RpcMessage) => void>()
  const pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>()
  let stderr = ''
  let nextId = 1
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.trim() === '') return
    const message = JSON.parse(line) as RpcMessage
    received.push(message)
    if (message.method === undefined && typeof message.id === 'number') {
      const waiter = pending.get(message.id)
      pending.delete(message.id)
      if (message.error) waiter?.reject(new Error(`${message.error.code}: ${message.error.message}`))
      else waiter?.resolve(message.result ?? {})
    }
    for (const listener of [...listeners]) listener(message)
  })
  const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`)
  const client: CodexClient = {
    request(method, params) {
      const id = nextId++
      send({ id, method, params })
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject }))
    },
    notify: (method, params) => send(params === undefined ? { method } : { method, params }),
    respond: (id, result) => send({ id, result }),
    received,
    waitFor(predicate, timeoutMs = 20_000) {
      const found = received.find(predicate)
      if (found) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check)
          reject(new Error(`codex: no matching message within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`))
        }, timeoutMs)
        const check = (m: RpcMessage) => {
          if (!predicate(m)) return
          clearTimeout(timer)
          listeners.delete(check)
          resolve(m)
        }
        listeners.add(check)
      })
    },
    stderr: () => stderr,
    async close() {
      const running = child.exitCode === null && child.signalCode === null
      killGroup(child.pid, 'SIGTERM')
      if (!running) return
      const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 3000)
      await exited
      clearTimeout(timer)
    },
  }
  await client.request('initialize', {
    clientInfo: { name: 'loom_smoke', title: 'Loom smoke test', version: '0.1.0' },
    capabilities: { experimentalApi: true, requestAttestation: false },
  })
  client.notify('initialized')
  return client
}

/** Signals the whole process group (the shim and the native binary); a group already gone is fine. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, signal)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}

/** Resolves with the `turn/completed` notification of `turnId`. */
export function turnCompleted(client: CodexClient, turnId: string): Promise<RpcMessage> {
  return client.waitFor((m) => m.method === 'turn/completed' && (m.params?.turn as { id?: string } | undefined)?.id === turnId)
}
