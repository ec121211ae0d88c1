/**
 * The thread's alarm: the runner lease (a silent runner's run ends `runner_lost`, its requests
 * expire, nothing stays working) and idle release (a live provider session is closed after the
 * idle time, never while a request is pending). Lease 2 s and idle 3 s in this pool, so these
 * tests wait in real time, as little as they can.
 */
import { SELF, runDurableObjectAlarm, evictDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { RUNNER_PROTOCOL_VERSION, RUNNER_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../../src/contracts/index.ts'
import { api, dispatch, projection } from './helpers.ts'
import { runnerThread, type EffectOf, type RuntimeEventInput } from './runner-helpers.ts'
import { outboxRows, threadStub } from './storage-helpers.ts'
import { eventually } from './wait.ts'

const LEASE_MS = 2000
const IDLE_MS = 3000
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const ACTIVE = ['starting', 'running', 'waiting']

const approval = (runId: string, nativeRequestId: string): RuntimeEventInput => ({
  type: 'request.opened',
  runId,
  nativeRequestId,
  nativeItemId: null,
  kind: 'command',
  prompt: 'run the tests?',
  detail: null,
  questions: null,
  availableDecisions: ['accept', 'decline'],
})

/** A workspace thread with a run that the runner has started and that waits on an approval. */
const waitingRun = async () => {
  const setup = await runnerThread()
  await dispatch(setup.tok, { type: 'message.dispatch', threadId: setup.threadId, text: 'please work' })
  const start = await setup.link.effect('turn.start')
  await setup.link.startTurn(start)
  await setup.link.send([approval(start.body.runId, 'req-1')])
  const p = await projection(setup.tok, setup.threadId)
  expect(p.runs[0].status).toBe('waiting')
  expect(p.runtimeRequests[0].status).toBe('pending')
  return { ...setup, start }
}

/** Waits past the lease (counted from the last runner contact) and runs the alarm now. */
const afterLease = async (threadId: string, lastContact: number) => {
  const wait = lastContact + LEASE_MS + 50 - Date.now()
  if (wait > 0) await sleep(wait)
  // The alarm may have fired on its own already; either way it has run once this returns.
  await runDurableObjectAlarm(threadStub(threadId))
}

const expectRunnerLost = (p: any) => {
  const run = p.runs[0]
  expect(run.status).toBe('interrupted')
  expect(run.failure).toMatchObject({ class: 'runner_lost', code: 'runner_lost' })
  expect(run.failure.message).toMatch(/lease/)
  const attempt = p.attempts.find((a: any) => a.id === run.activeAttemptId)
  expect(attempt.status).toBe('interrupted')
  expect(p.nodes.find((n: any) => n.id === run.rootNodeId).status).toBe('interrupted')
  // No node, item or request of the run is left open.
  expect(p.nodes.filter((n: any) => ['pending', 'running', 'waiting'].includes(n.status))).toEqual([])
  expect(p.turnItems.filter((i: any) => ['pending', 'running', 'waiting'].includes(i.status))).toEqual([])
  expect(p.runs.filter((r: any) => ACTIVE.includes(r.status))).toEqual([])
}

describe.concurrent('the runner lease', () => {
  it('should end a run whose runner went silent and closed its sockets, and expire its requests', async () => {
    const { tok, threadId, runner, workspaceId } = await waitingRun()
    const lastContact = Date.now()
    runner.close()
    await afterLease(threadId, lastContact)
    const p = await projection(tok, threadId)
    expectRunnerLost(p)
    expect(p.runtimeRequests[0]).toMatchObject({ status: 'expired', responseCapability: { type: 'not_resumable', reason: 'runner_lost' } })
    expect(p.providerSessions.every((s: any) => s.status === 'stopped' && s.releaseReason === 'runner_lost')).toBe(true)
    // The shell no longer shows the thread working.
    const shell = await eventually(async () => {
      const threads = (await api(`/v1/workspaces/${workspaceId}/threads`, { token: tok })).body.threads
      return threads[0]?.sequence === p.sequence ? threads[0] : null
    })
    expect(shell.status).toBe('interrupted')
    expect(shell.activeRunId).toBeNull()
    expect(shell.pendingRequestCount).toBe(0)
    // The process-bound turn.start died with the runner.
    const starts = await outboxRows(threadId, 'turn.start')
    expect(starts.map((r) => r.status)).toEqual(['cancelled'])
  })

  it('should end a run that never got past starting when the runner stays connected but says nothing', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'anyone there?' })
    await link.effect('turn.start')
    const lastContact = Date.now()
    expect((await projection(tok, threadId)).runs[0].status).toBe('starting')
    await afterLease(threadId, lastContact)
    expectRunnerLost(await projection(tok, threadId))
    runner.close()
  })

  it('should count the lease of a new run from its start, not from a runner that was quiet before it', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    // Linked and idle, with nothing to say, for longer than the lease.
    await sleep(LEASE_MS + 100)
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'now some work' })
    const start = await link.effect('turn.start')
    await runDurableObjectAlarm(threadStub(threadId))
    expect((await projection(tok, threadId)).runs[0].status).toBe('starting')
    await link.runTurn(start)
    expect((await projection(tok, threadId)).runs[0].status).toBe('completed')
    runner.close()
  })

  it('should keep a run whose runner keeps talking, and end it once the runner stops', async () => {
    const { tok, threadId, link, runner, start } = await waitingRun()
    // Batches for 2.5 s, past the lease: each one is contact.
    for (let i = 0; i < 5; i++) {
      await sleep(500)
      await link.send([{ type: 'usage.updated', runId: start.body.runId, usage: { inputTokens: i, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, totalTokens: i } }])
    }
    await runDurableObjectAlarm(threadStub(threadId))
    expect((await projection(tok, threadId)).runs[0].status).toBe('waiting')
    const lastContact = Date.now()
    runner.close()
    await afterLease(threadId, lastContact)
    expectRunnerLost(await projection(tok, threadId))
  })

  it('should end the run on the first alarm after the lease even when that alarm wakes an evicted object', async () => {
    const { tok, threadId, runner } = await waitingRun()
    const lastContact = Date.now()
    // Hibernation: the object is gone, the runner's socket is kept open (and stays silent). A
    // woken object must not take its own start for news from the runner.
    await evictDurableObject(threadStub(threadId))
    await afterLease(threadId, lastContact)
    expectRunnerLost(await projection(tok, threadId))
    runner.close()
  })
})

/** A link socket that also sends WebSocket-level "ping" frames (answered by the auto-response). */
class PingingLink {
  readonly ws: WebSocket
  readonly frames: any[] = []
  pongs = 0

  private constructor(ws: WebSocket) {
    this.ws = ws
    ws.accept()
    ws.addEventListener('message', (event) => {
      const data = String(event.data)
      if (data === 'pong') this.pongs++
      else this.frames.push(JSON.parse(data))
    })
  }

  static async open(tok: string, threadId: string, runnerId: string, epoch: number): Promise<PingingLink> {
    const response = await SELF.fetch(`https://loom.test/v1/runner/threads/${threadId}/link`, {
      headers: { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': `${RUNNER_SUBPROTOCOL}, ${TOKEN_SUBPROTOCOL_PREFIX}${tok}` },
    })
    if (!response.webSocket) throw new Error(`upgrade failed: ${response.status}`)
    const link = new PingingLink(response.webSocket)
    link.ws.send(JSON.stringify({ type: 'hello', protocolVersion: RUNNER_PROTOCOL_VERSION, runnerId, epoch }))
    await eventually(() => link.frames.some((f) => f.type === 'welcome'))
    return link
  }
}

describe.concurrent('idle release', () => {
  it('should close a live provider session after the idle time once the run is done, and resume on the next run', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'first' })
    await link.runNext({ runOrdinal: 1 })
    const lastActivity = Date.now()
    const done = await projection(tok, threadId)
    expect(done.runs[0].status).toBe('completed')
    expect(done.providerSessions.map((s: any) => s.status)).toEqual(['ready'])

    // Not yet: the alarm before the idle time changes nothing.
    await runDurableObjectAlarm(threadStub(threadId))
    expect((await projection(tok, threadId)).providerSessions[0].status).toBe('ready')
    expect(link.effects('session.close')).toEqual([])

    await sleep(lastActivity + IDLE_MS + 50 - Date.now())
    await runDurableObjectAlarm(threadStub(threadId))
    const close = (await link.effect('session.close')) as EffectOf<'session.close'>
    expect(close.body).toEqual({ kind: 'session.close', provider: 'codex', reason: 'idle_timeout' })
    const released = await projection(tok, threadId)
    expect(released.providerSessions[0]).toMatchObject({ status: 'stopped', releaseReason: 'idle_timeout' })
    const rows = await outboxRows(threadId, 'session.close')
    expect(rows).toHaveLength(1)
    expect(rows[0]!.status).toBe('delivered')
    await link.send([{ type: 'effect.completed', effectId: close.effectId }])
    expect((await outboxRows(threadId, 'session.close'))[0]!.status).toBe('acked')

    // Only once: a later alarm sends no second close.
    await runDurableObjectAlarm(threadStub(threadId))
    expect(link.effects('session.close')).toHaveLength(1)

    // The next run resumes the provider thread the first one bound.
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'second' })
    const next = await link.effect('turn.start', (e) => e.body.runOrdinal === 2)
    expect(next.body.providerThread).toMatchObject({ provider: 'codex', nativeThreadRef: `native-thread-${threadId}` })
    runner.close()
  })

  it('should release on the first alarm after the idle time even when that alarm wakes an evicted object', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'first' })
    await link.runNext({ runOrdinal: 1 })
    const lastActivity = Date.now()
    await evictDurableObject(threadStub(threadId))
    await sleep(lastActivity + IDLE_MS + 50 - Date.now())
    await runDurableObjectAlarm(threadStub(threadId))
    expect((await projection(tok, threadId)).providerSessions[0]).toMatchObject({ status: 'stopped', releaseReason: 'idle_timeout' })
    await link.effect('session.close')
    runner.close()
  })

  it('should not release while a request is pending, with the runner alive on pings alone', async () => {
    const { tok, threadId, runner, link: scripted } = await runnerThread()
    // The same runner process links again over a socket that can ping.
    const link = await PingingLink.open(runner.tok, threadId, runner.runnerId, runner.epoch)
    await scripted.socket.until(() => scripted.socket.closed)
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'ask me first' })
    const start = await eventually(() => link.frames.find((f) => f.type === 'effect' && f.effect.body.kind === 'turn.start')?.effect)
    const { runId, attemptId } = start.body
    link.ws.send(
      JSON.stringify({
        type: 'batch',
        epoch: runner.epoch,
        seq: 1,
        events: [
          { type: 'effect.accepted', effectId: start.effectId },
          { type: 'session.started', provider: 'codex', model: 'fake-model' },
          { type: 'turn.started', runId, attemptId, nativeTurnId: 't1' },
          approval(runId, 'req-ping'),
        ],
      }),
    )
    await eventually(() => link.frames.some((f) => f.type === 'ack' && f.seq === 1))
    const lastBatch = Date.now()

    // Past both the lease and the idle time, with nothing but pings from the runner; the
    // object is evicted meanwhile, so the pings must be read from the hibernated link.
    await evictDurableObject(threadStub(threadId))
    while (Date.now() < lastBatch + IDLE_MS + 100) {
      link.ws.send('ping')
      await sleep(400)
    }
    expect(link.pongs).toBeGreaterThan(5)
    await runDurableObjectAlarm(threadStub(threadId))
    const p = await projection(tok, threadId)
    expect(p.runs[0].status).toBe('waiting')
    expect(p.runtimeRequests[0].status).toBe('pending')
    expect(p.providerSessions[0].status).toBe('ready')
    expect(link.frames.filter((f) => f.type === 'effect' && f.effect.body.kind === 'session.close')).toEqual([])
    expect(await outboxRows(threadId, 'session.close')).toEqual([])
    link.ws.close(1000, 'done')
    runner.close()
  })
})


describe.concurrent('after the lease', () => {
  it('should start the queued run once the runner that went silent with its socket open comes back', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'first' })
    const first = await link.effect('turn.start')
    await link.startTurn(first)
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'second', dispatchMode: { type: 'queue_after_active' } })
    const lastContact = Date.now()
    expect(runner.attachRequests()).toEqual([])
    await afterLease(threadId, lastContact)
    const lost = await projection(tok, threadId)
    expect(lost.runs.map((r: any) => r.status)).toEqual(['interrupted', 'queued'])
    // The stalled runner's link is dropped and the workspace asks for a runner again; the
    // runner says hello again and the queued run starts on it.
    await link.socket.until(() => link.socket.closed)
    expect(link.socket.closed?.code).toBe(4008)
    await runner.control.until((f) => f.find((x) => x.type === 'attach' && x.threadId === threadId))
    const next = await runner.link(threadId)
    const start = await next.effect('turn.start', (e) => e.body.runOrdinal === 2)
    await next.runTurn(start)
    expect((await projection(tok, threadId)).runs.map((r: any) => r.status)).toEqual(['interrupted', 'completed'])
    runner.close()
  })
})
