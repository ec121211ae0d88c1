/** @module The JSON-RPC client against the real pinned `codex app-server` (no model calls). */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { JsonFrame } from './jsonl-decoder.ts'
import type { ClientMethod, CodexNotification } from './protocol.ts'
import { CodexRpcClient } from './rpc-client.ts'
import { spawnCodexAppServer } from './spawn-app-server.ts'

// Offline: nothing here reaches a model; plugins, apps and analytics would otherwise go online.
const CONFIG = '[features]\nplugins = false\napps = false\n\n[analytics]\nenabled = false\n'

let root: string
let clients: CodexRpcClient[]

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'loom-codex-rpc-'))
  for (const dir of ['codex-home', 'home', 'tmp', 'work']) await mkdir(path.join(root, dir))
  await writeFile(path.join(root, 'codex-home', 'config.toml'), CONFIG)
  clients = []
})

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()))
  await rm(root, { recursive: true, force: true })
})

function start() {
  const frames: JsonFrame[] = []
  const notifications: CodexNotification[] = []
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: path.join(root, 'home'),
    CODEX_HOME: path.join(root, 'codex-home'),
    TMPDIR: path.join(root, 'tmp'),
  }
  const child = spawnCodexAppServer({ env, cwd: path.join(root, 'work') })
  const client = new CodexRpcClient(child, {
    clientInfo: { name: 'loom_test', title: null, version: '0.0.0' },
    onFrame: (e) => e.dir === 'out' && frames.push(e.frame),
    onNotification: (n) => notifications.push(n),
    onProtocolError: (e) => {
      throw e
    },
  })
  clients.push(client)
  return { child, client, frames, notifications }
}

describe('CodexRpcClient with codex app-server', () => {
  it('should initialize once for concurrent callers and start a thread', async () => {
    const { client, frames, notifications } = start()
    const [init, again, models, started] = await Promise.all([
      client.initialize(),
      client.initialize(),
      client.request('model/list', {}),
      client.request('thread/start', { cwd: path.join(root, 'work') }),
    ])
    expect(again).toBe(init)
    expect(init.codexHome).toBe(path.join(root, 'codex-home'))
    expect(models.data.length).toBeGreaterThan(0)
    expect(started.thread.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(frames.filter((f) => f.method === 'initialize')).toHaveLength(1)
    expect(frames.filter((f) => f.method === 'initialized')).toHaveLength(1)
    expect(frames.some((f) => 'jsonrpc' in f)).toBe(false)
    await expect.poll(() => notifications.some((n) => n.method === 'thread/started')).toBe(true)
  }, 20_000)

  it('should reject an unknown method with codex.rpc_error -32600', async () => {
    const { client } = start()
    const rollback = client.request('thread/rollback' as ClientMethod, { threadId: 'x', numTurns: 1 } as never)
    await expect(rollback).rejects.toMatchObject({ code: 'codex.rpc_error', rpcCode: -32600 })
  }, 20_000)

  it('should reject a pending request with codex.process_exited when the process is killed', async () => {
    const { child, client } = start()
    await client.initialize()
    // Stopped first, so it cannot answer (model/list comes from memory in microseconds) before the kill.
    child.kill('SIGSTOP')
    const pending = client.request('model/list', {})
    child.kill('SIGKILL')
    await expect(pending).rejects.toMatchObject({ code: 'codex.process_exited', exit: { signal: 'SIGKILL' } })
    await expect(client.request('model/list', {})).rejects.toMatchObject({ code: 'codex.process_exited' })
  }, 20_000)

  it('should reject with codex.spawn_failed when the binary is missing', async () => {
    const errors: string[] = []
    const child = spawnCodexAppServer({ env: { CODEX_HOME: path.join(root, 'codex-home') }, binary: path.join(root, 'no-codex') })
    const client = new CodexRpcClient(child, {
      clientInfo: { name: 'loom_test', title: null, version: '0.0.0' },
      onProtocolError: (e) => errors.push(e.code),
    })
    await expect(client.initialize()).rejects.toMatchObject({ code: 'codex.spawn_failed' })
    await expect(client.exited).resolves.toEqual({ code: null, signal: null })
    expect(errors.every((code) => code === 'codex.spawn_failed')).toBe(true)
  })

  it('should exit cleanly on close', async () => {
    const { client } = start()
    await client.initialize()
    await expect(client.close()).resolves.toEqual({ code: 0, signal: null })
  }, 20_000)
})
