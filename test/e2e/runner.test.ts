/**
 * The runner process against the real worker. The provider is the scripted stand-in in
 * support/scripted-adapter.ts (it stands in for Codex until the real adapters land); everything
 * else is real: the `loom-runner` main in its own process, the worker bundle in Miniflare, and
 * WebSockets over 127.0.0.1 (through a TCP relay the test can break).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { mintToken } from '../../scripts/tokens.ts'
import { startWorker, type TestWorker } from './support/worker.ts'
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts'
import { REAL_CLI, RunnerProcess } from './support/runner-process.ts'
import { Subscriber, api, dispatch, events, uniqueId } from './support/client.ts'

let worker: TestWorker
let proxy: TcpProxy
const runners: RunnerProcess[] = []
const subscribers: Subscriber[] = []
const dirs: string[] = []

beforeAll(async () => {
  worker = await startWorker({ leaseSeconds: 3, idleSeconds: 5 })
  proxy = await startTcpProxy(new URL(worker.url))
})

afterEach(async () => {
  for (const s of subscribers.splice(0)) s.close()
  for (const r of runners.splice(0)) {
    r.kill('SIGKILL')
    await r.exited
  }
})

afterAll(async () => {
  await proxy?.close()
  await worker?.dispose()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

/** A workspace of its own per test: a directory, a runner token, a user token. */
const workspace = async () => {
  const id = uniqueId('ws')
  const dir = mkdtempSync(join(tmpdir(), 'loom-e2e-ws-'))
  dirs.push(dir)
  return {
    id,
    dir,
    runnerToken: await mintToken(worker.secret, { sub: 'runner:e2e', scopes: ['runner'], workspaces: [id], days: 1 }),
    userToken: await mintToken(worker.secret, { sub: 'user:e2e', scopes: ['read', 'operate'], workspaces: [id], days: 1 }),
  }
}

type Workspace = Awaited<ReturnType<typeof workspace>>

const startRunner = (ws: Workspace, server = proxy.url, entry?: string) => {
  const runner = new RunnerProcess(['--server', server, '--token', ws.runnerToken, '--workspace', ws.dir, '--heartbeat-ms', '500'], entry)
  runners.push(runner)
  return runner
}

const newThread = async (ws: Workspace) => {
  const threadId = uniqueId('thread')
  await dispatch(worker.url, ws.userToken, { type: 'thread.create', threadId, workspaceId: ws.id, title: 'e2e', modelSelection: { provider: 'codex', model: 'scripted' } })
  const subscriber = await Subscriber.open(worker.url, ws.userToken, threadId)
  subscribers.push(subscriber)
  return { threadId, subscriber }
}

const send = (ws: Workspace, threadId: string, text: string) => dispatch(worker.url, ws.userToken, { type: 'message.dispatch', threadId, text })

/** Every stored event once, in sequence order with no gap, and each item's completion once. */
const expectCleanLog = async (ws: Workspace, threadId: string) => {
  const stored = await events(worker.url, ws.userToken, threadId)
  expect(stored.map((e) => e.sequence)).toEqual(stored.map((_, i) => i + 1))
  const completions = stored
    .filter((e) => e.event.type === 'turn-item.updated' && e.event.payload.status === 'completed' && e.event.payload.content.type === 'assistant_message')
    .map((e) => e.event.payload.id)
  expect(new Set(completions).size).toBe(completions.length)
  return stored
}

describe('loom-runner against the worker', () => {
  it('should connect, get an epoch, and serve a dispatched message as a subscriber sees it', async () => {
    const ws = await workspace()
    const runner = startRunner(ws)
    const connected = await runner.line((l) => l.msg === 'connected')
    expect(connected.epoch).toBeGreaterThan(0)
    // Provider status reaches the API: "checking" first, then what the adapter's check said.
    await runner.line((l) => l.msg === 'provider status')
    const status = async () => (await api(worker.url, ws.userToken, `/v1/workspaces/${ws.id}/providers`)).body
    await expect.poll(status).toMatchObject({ runner: { epoch: connected.epoch, connected: true }, providers: [{ provider: 'codex', state: 'ready', version: 'scripted' }] })
    const { threadId, subscriber } = await newThread(ws)
    await send(ws, threadId, 'hello there')
    const run = await subscriber.until(() => subscriber.runs().find((r) => r.status === 'completed'))
    expect(run.failure).toBeNull()
    const reply = subscriber.events.filter((e) => e.event.type === 'turn-item.updated' && e.event.payload.content.type === 'assistant_message').at(-1)
    expect(reply.event.payload.content.text).toBe('echo: hello there')
    // The reply streamed as deltas before it completed.
    expect(subscriber.items.some((i) => i.kind === 'delta')).toBe(true)
    await runner.line((l) => l.msg === 'turn done' && l.status === 'completed')
    // Idle release is the thread's call (a session.close effect); the next message opens a new session.
    await runner.line((l) => l.msg === 'session closed' && l.reason === 'idle_timeout', 20_000)
    await send(ws, threadId, 'after idle')
    await subscriber.until(() => subscriber.runs().find((r) => r.ordinal === 2 && r.status === 'completed'))
    expect(runner.lines.filter((l) => l.msg === 'session opened')).toHaveLength(2)
    await expectCleanLog(ws, threadId)
  })

  it('should reconnect with the same epoch after its sockets break and resend unacknowledged batches once', async () => {
    const ws = await workspace()
    const runner = startRunner(ws)
    const { epoch } = await runner.line((l) => l.msg === 'connected')
    const { threadId, subscriber } = await newThread(ws)
    await send(ws, threadId, 'slow 20 60')
    const items = () => subscriber.events.filter((e) => e.event.type === 'turn-item.updated').length
    await subscriber.until(() => items() >= 3)
    // The network stops answering both ways: batches go out but never land.
    proxy.hold('both')
    await new Promise((r) => setTimeout(r, 350))
    expect(proxy.cut()).toBeGreaterThanOrEqual(2)
    const firstResume = await runner.line((l) => l.msg === 'link resumed')
    expect(firstResume.resent).toBeGreaterThan(0)
    expect((await runner.line((l) => l.msg === 'reconnected')).epoch).toBe(epoch)
    // Now batches land and commit, but their acks are lost: the welcome confirms them instead.
    const seen = items()
    await subscriber.until(() => items() >= seen + 1)
    const from = runner.lines.length
    proxy.hold('to-runner')
    await new Promise((r) => setTimeout(r, 350))
    proxy.cut()
    const secondResume = await runner.line((l) => l.msg === 'link resumed', 10_000, from)
    expect(secondResume.confirmed).toBeGreaterThan(0)
    const run = await subscriber.until(() => subscriber.runs().find((r) => r.status === 'completed'))
    expect(run.failure).toBeNull()
    const stored = await expectCleanLog(ws, threadId)
    const steps = stored.filter((e) => e.event.type === 'turn-item.updated' && e.event.payload.status === 'completed' && /^step /.test(e.event.payload.content.text))
    expect(steps.map((e) => e.event.payload.content.text)).toEqual(Array.from({ length: 20 }, (_, i) => `step ${i + 1}`))
  })

  it('should end the run of a SIGKILLed runner as runner_lost when a new runner takes over, which serves the next message', async () => {
    const ws = await workspace()
    const first = startRunner(ws)
    const { epoch: firstEpoch } = await first.line((l) => l.msg === 'connected')
    const { threadId, subscriber } = await newThread(ws)
    await send(ws, threadId, 'hang')
    await subscriber.until(() => subscriber.runs().find((r) => r.status === 'running'))
    first.kill('SIGKILL')
    await first.exited
    const second = startRunner(ws)
    const { epoch: secondEpoch } = await second.line((l) => l.msg === 'connected')
    expect(secondEpoch).toBeGreaterThan(firstEpoch as number)
    const lost = await subscriber.until(() => subscriber.runs().find((r) => r.ordinal === 1 && r.status === 'interrupted'))
    expect(lost.failure).toMatchObject({ class: 'runner_lost' })
    await send(ws, threadId, 'after the restart')
    const next = await subscriber.until(() => subscriber.runs().find((r) => r.ordinal === 2 && r.status === 'completed'))
    expect(next.failure).toBeNull()
    await expectCleanLog(ws, threadId)
  })

  it('should exit non-zero when a newer runner process fences it, instead of fighting back', async () => {
    const ws = await workspace()
    const first = startRunner(ws)
    const { epoch: firstEpoch } = await first.line((l) => l.msg === 'connected')
    const second = startRunner(ws)
    const { epoch: secondEpoch } = await second.line((l) => l.msg === 'connected')
    expect(secondEpoch).toBeGreaterThan(firstEpoch as number)
    expect((await first.exited).code).toBe(1)
    expect((await first.line((l) => l.level === 'error')).msg).toMatch(/refused this runner \(stale_epoch\)/)
    // The survivor keeps its epoch and serves.
    const { threadId, subscriber } = await newThread(ws)
    await send(ws, threadId, 'still here')
    await subscriber.until(() => subscriber.runs().find((r) => r.status === 'completed'))
    expect(second.child.exitCode).toBeNull()
  })

  it('should flush, end its running turn and exit 0 on SIGTERM', async () => {
    const ws = await workspace()
    const runner = startRunner(ws)
    await runner.line((l) => l.msg === 'connected')
    const { threadId, subscriber } = await newThread(ws)
    await send(ws, threadId, 'slow 50 40')
    await subscriber.until(() => subscriber.events.filter((e) => e.event.type === 'turn-item.updated').length >= 3)
    const started = Date.now()
    runner.kill('SIGTERM')
    expect(await runner.exited).toEqual({ code: 0, signal: null })
    expect(Date.now() - started).toBeLessThan(8000)
    const stopped = await runner.line((l) => l.msg === 'stopped')
    expect(stopped.flushed).toBe(true)
    // The runner said the turn ended; the run does not wait for its lease.
    const run = await subscriber.until(() => subscriber.runs().find((r) => r.status === 'interrupted'))
    expect(run.failure).toMatchObject({ code: 'runner_shutdown' })
    await expectCleanLog(ws, threadId)
  })

  it('should exit non-zero with a clear message when its token is refused, and on bad arguments', async () => {
    const ws = await workspace()
    const runner = startRunner({ ...ws, runnerToken: ws.userToken }, worker.url, REAL_CLI)
    expect((await runner.exited).code).toBe(1)
    const refused = await runner.line((l) => l.level === 'error')
    expect(refused.msg).toMatch(/refused the runner token \(HTTP 403 forbidden\)/)
    const bad = new RunnerProcess(['--server', 'nope', '--workspace', ws.dir], REAL_CLI)
    runners.push(bad)
    expect((await bad.exited).code).toBe(2)
    expect(bad.stderr.join('')).toMatch(/--server must be a URL/)
  })
})
