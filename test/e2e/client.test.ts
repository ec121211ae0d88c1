/**
 * @module The typed client against the real worker (Miniflare) and a real runner process with
 * the scripted adapter: its subscription survives a cut socket (a TCP relay between client and
 * worker drops every connection) and resumes without gap or duplicate, and a projection kept
 * with applyThreadItem ends equal to the one the worker serves.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ThreadProjection, ThreadStreamItem } from '../../src/contracts/index.ts'
import { applyThreadItem, createLoomClient, type ConnectionState } from '../../src/client/index.ts'
import { mintToken } from '../../scripts/tokens.ts'
import { startWorker, type TestWorker } from './support/worker.ts'
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts'
import { RunnerProcess } from './support/runner-process.ts'

let worker: TestWorker
let proxy: TcpProxy
let runner: RunnerProcess | null = null
const dirs: string[] = []

beforeAll(async () => {
  worker = await startWorker({ leaseSeconds: 3, idleSeconds: 30 })
  proxy = await startTcpProxy(new URL(worker.url))
})

afterAll(async () => {
  if (runner) {
    runner.kill('SIGKILL')
    await runner.exited
  }
  await proxy?.close()
  await worker?.dispose()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const until = async <T>(find: () => T | undefined | false | null, timeoutMs = 15_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = find()
    if (found) return found
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('the typed client against the real worker', () => {
  it('should resume a thread subscription after the socket is cut, with no gap and no duplicate', async () => {
    const workspaceId = `ws-client-${Date.now().toString(36)}`
    const dir = mkdtempSync(join(tmpdir(), 'loom-client-ws-'))
    dirs.push(dir)
    const userToken = await mintToken(worker.secret, { sub: 'user:client', scopes: ['read', 'operate'], workspaces: [workspaceId], days: 1 })
    const runnerToken = await mintToken(worker.secret, { sub: 'runner:client', scopes: ['runner'], workspaces: [workspaceId], days: 1 })
    runner = new RunnerProcess(['--server', worker.url, '--token', runnerToken, '--workspace', dir, '--heartbeat-ms', '500'])
    await runner.line((l) => l.msg === 'connected')

    const client = createLoomClient({ baseUrl: proxy.url, token: userToken, reconnect: { initialDelayMs: 50, maxDelayMs: 500 } })
    const states: ConnectionState[] = []
    client.connection.subscribe((s) => states.push(s))
    const created = await client.createThread({ workspaceId, title: 'client', modelSelection: { provider: 'codex', model: 'scripted' } })
    if (!created.ok) throw new Error(`create failed: ${created.error.code} ${created.error.message}`)
    const threadId = created.value.threadId

    const refused = await client.dispatch({ type: 'thread.archive', threadId, expectedSequence: 99 })
    expect(refused).toMatchObject({ ok: false, error: { code: 'sequence_conflict', status: 409 } })

    const sub = client.subscribeThread(threadId)
    const items: ThreadStreamItem[] = []
    let view: ThreadProjection | null = null
    const loop = (async () => {
      for await (const item of sub) {
        items.push(item)
        view = applyThreadItem(view, item)
      }
    })()
    await until(() => sub.state === 'open' && items.length > 0)

    const sent = await client.sendMessage(threadId, 'slow 8 150')
    expect(sent.ok).toBe(true)
    await until(() => items.filter((i) => i.kind === 'event' && i.event.event.type === 'turn-item.updated').length >= 3)
    expect(proxy.cut()).toBeGreaterThan(0)
    // The client may be back within a poll's 20 ms: wait for the state it went through, not the one it is in.
    await until(() => states.includes('offline'), 5000)
    await until(() => sub.state === 'open', 10_000)

    // A reply that streams (deltas) after the reconnect.
    await until(() => (view as ThreadProjection | null)?.runs.at(-1)?.status === 'completed', 20_000)
    expect((await client.sendMessage(threadId, 'hello there')).ok).toBe(true)
    await until(() => {
      const runs = (view as ThreadProjection | null)?.runs ?? []
      return runs.length === 2 && runs[1]?.status === 'completed'
    }, 20_000)

    const served = await client.getThread(threadId)
    if (!served.ok) throw new Error(served.error.message)
    await until(() => (view as ThreadProjection | null)?.sequence === served.value.sequence, 5000)
    expect(view).toEqual(served.value)

    const first = items[0]
    if (first?.kind !== 'snapshot') throw new Error('expected a snapshot first')
    const sequences = items.flatMap((i) => (i.kind === 'event' ? [i.sequence] : []))
    expect(sequences).toEqual(Array.from({ length: served.value.sequence - first.sequence }, (_, k) => first.sequence + k + 1))
    expect(items.filter((i) => i.kind === 'snapshot')).toHaveLength(1)
    expect(states).toEqual(['online', 'offline', 'online'])
    expect(items.some((i) => i.kind === 'delta')).toBe(true)

    // The shell: a snapshot, then updates (the thread pushes its summary after its commits).
    const shell = client.subscribeShell(workspaceId)
    const summaries: string[] = []
    for await (const item of shell) {
      const threads = item.kind === 'snapshot' ? item.threads : [item.thread]
      for (const t of threads) if (t.id === threadId) summaries.push(`${item.kind}:${t.status}`)
      if (summaries.at(-1)?.endsWith(':idle')) break
    }
    expect(summaries[0]).toMatch(/^snapshot:/)
    await sub.return()
    await loop
    expect(client.connection.state).toBe('idle')
  })
})
