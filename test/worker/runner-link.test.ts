/**
 * A scripted runner over real WebSockets: control hello and epochs, attach requests, the thread
 * link (effects, sequenced batches, deltas), reconnects with the same epoch and with a new one,
 * and protocol version checks.
 */
import { env, evictDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { RUNNER_PROTOCOL_VERSION, deriveId } from '../../src/contracts/index.ts'
import { api, connect, createThread, dispatch, projection, token, uniqueId } from './helpers.ts'
import { ScriptedRunner, assistantItem, openLink, runnerThread, runnerToken, type EffectOf } from './runner-helpers.ts'
import { eventually } from './wait.ts'
import { outboxRows } from './storage-helpers.ts'

const eventCount = async (tok: string, threadId: string) => (await api(`/v1/threads/${threadId}/events?after=0`, { token: tok })).body.events.length

const turnCompleted = (start: EffectOf<'turn.start'>, nativeTurnId: string) => ({
  type: 'turn.completed' as const,
  runId: start.body.runId,
  attemptId: start.body.attemptId,
  nativeTurnId,
  status: 'completed' as const,
  failure: null,
  usage: null,
  nativeConversationHeadRef: null,
})

const usage = (n: number) => ({ inputTokens: n, cachedInputTokens: 0, outputTokens: n, reasoningTokens: 0, totalTokens: 2 * n })

describe('a run served by a scripted runner', () => {
  it('should attach, deliver turn.start, take batches and deltas, and complete the run', async () => {
    const workspaceId = uniqueId('ws-link')
    const tok = await token({ workspaces: [workspaceId] })
    const runner = await ScriptedRunner.start({ workspaceId })
    expect(runner.epoch).toBe(1)
    const threadId = await createThread(tok, undefined, { workspaceId })
    const watcher = await connect(`/v1/ws?threadId=${threadId}`, tok)
    await watcher.request(1, 'subscribeThread', { threadId })

    // No link yet: the run waits, visibly, and the workspace asks the runner to attach.
    expect((await dispatch(tok, { type: 'message.dispatch', threadId, text: 'write a haiku' })).status).toBe(200)
    const queued = await projection(tok, threadId)
    expect(queued.runs[0]).toMatchObject({ status: 'queued', queueReason: 'awaiting_runner' })
    await runner.control.until((f) => f.find((x) => x.type === 'attach' && x.threadId === threadId))

    const link = await runner.link(threadId)
    expect(link.seq).toBe(0)
    const start = await link.effect('turn.start')
    expect(start.effectId).toMatch(/^effect:/)
    expect(start.threadId).toBe(threadId)
    expect(start.body).toMatchObject({ runId: queued.runs[0].id, runOrdinal: 1, message: { text: 'write a haiku' } })
    expect((await projection(tok, threadId)).runs[0].status).toBe('starting')

    const { runId, attemptId } = start.body
    await link.send([
      { type: 'effect.accepted', effectId: start.effectId },
      { type: 'session.started', provider: 'codex', model: 'fake-model' },
      { type: 'turn.started', runId, attemptId, nativeTurnId: 'turn-1' },
    ])
    expect(link.seq).toBe(1)
    expect((await projection(tok, threadId)).runs[0].status).toBe('running')
    await link.send([assistantItem(runId, 'msg-1', 'running', '')])

    // Deltas: broadcast, buffered for late subscribers, never logged. Overlaps are trimmed.
    const itemId = deriveId.item('codex', 'msg-1')
    const before = await eventCount(tok, threadId)
    link.delta(itemId, 0, 'Old pond, ')
    link.delta(itemId, 10, 'a frog ')
    link.delta(itemId, 13, 'rog jumps in')
    const deltas = await watcher.until((f) => {
      const found = f.filter((x) => x.item?.kind === 'delta')
      return found.length >= 3 ? found.map((x) => x.item) : undefined
    })
    expect(deltas).toEqual([
      { kind: 'delta', itemId, offset: 0, text: 'Old pond, ' },
      { kind: 'delta', itemId, offset: 10, text: 'a frog ' },
      { kind: 'delta', itemId, offset: 17, text: 'jumps in' },
    ])
    const late = await connect(`/v1/ws?threadId=${threadId}`, tok)
    await late.request(1, 'subscribeThread', { threadId })
    const snapshot = await late.until((f) => f.find((x) => x.item?.kind === 'snapshot'))
    expect(snapshot.item.projection.streaming).toEqual({ [itemId]: 'Old pond, a frog jumps in' })
    expect((await projection(tok, threadId)).streaming[itemId]).toBe('Old pond, a frog jumps in')
    expect(await eventCount(tok, threadId)).toBe(before)

    await link.send([
      assistantItem(runId, 'msg-1', 'completed', 'Old pond, a frog jumps in. Splash.'),
      turnCompleted(start, 'turn-1'),
      { type: 'effect.completed', effectId: start.effectId },
    ])
    const done = await projection(tok, threadId)
    expect(done.runs[0].status).toBe('completed')
    expect(done.attempts[0].status).toBe('completed')
    expect(done.nodes.find((n: any) => n.id === done.runs[0].rootNodeId).status).toBe('completed')
    expect(done.streaming).toEqual({})
    expect(done.turnItems.map((i: any) => i.content.type)).toEqual(['user_message', 'assistant_message'])
    expect(done.turnItems[1].content.text).toBe('Old pond, a frog jumps in. Splash.')
    // Both subscribers see the completion; a delta for a finished item goes nowhere.
    await late.until((f) => f.find((x) => x.item?.kind === 'event' && x.item.sequence === done.sequence))
    await watcher.until((f) => f.find((x) => x.item?.kind === 'event' && x.item.sequence === done.sequence))
    link.delta(itemId, 34, ' More?')
    await watcher.request('b', 'getThreadProjection', { threadId })
    expect(watcher.frames.filter((x) => x.item?.kind === 'delta')).toHaveLength(3)
    expect(late.frames.filter((x) => x.item?.kind === 'delta')).toHaveLength(0)
    watcher.close()
    late.close()
    runner.close()
  })

  it('should acknowledge a resent batch without writing it again, and refuse a gap with the expected sequence', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'go' })
    const start = await link.effect('turn.start')
    await link.startTurn(start)
    await link.send([{ type: 'usage.updated', runId: start.body.runId, usage: usage(10) }])
    const seq = link.seq
    expect(seq).toBe(2)
    const count = await eventCount(tok, threadId)
    const sequence = (await projection(tok, threadId)).sequence

    // The same batch again (and even a different body under an old seq) changes nothing.
    const duplicate = await link.batch([{ type: 'turn.started', runId: start.body.runId, attemptId: start.body.attemptId, nativeTurnId: 'other' }], seq)
    expect(duplicate).toEqual({ type: 'ack', seq })
    const older = await link.batch([{ type: 'usage.updated', runId: start.body.runId, usage: usage(999) }], 1)
    expect(older).toEqual({ type: 'ack', seq })
    expect(await eventCount(tok, threadId)).toBe(count)
    expect((await projection(tok, threadId)).sequence).toBe(sequence)

    const gap = await link.batch([{ type: 'effect.completed', effectId: start.effectId }], seq + 2)
    expect(gap.type).toBe('refused')
    expect(gap.error).toMatchObject({ code: 'sequence_gap', details: { expectedSeq: seq + 1 } })
    expect(await eventCount(tok, threadId)).toBe(count)
    // The link stays usable: the expected batch is taken.
    await link.finishTurn(start)
    expect(link.seq).toBe(seq + 1)
    const done = await projection(tok, threadId)
    expect(done.runs[0].status).toBe('completed')
    expect(done.runs[0].usage.inputTokens).toBe(10)
    runner.close()
  })

  it('should refuse batches before hello and batches of another epoch', async () => {
    const { runner, threadId } = await runnerThread()
    const tok = await runnerToken([runner.workspaceId])
    const silent = await connect(`/v1/runner/threads/${threadId}/link`, tok, 'runner')
    silent.send({ type: 'batch', epoch: runner.epoch, seq: 1, events: [{ type: 'workspace.features', checkpoints: 'available' }] })
    const refused = await silent.until((f) => f.find((x) => x.type === 'refused'))
    expect(refused.error.code).toBe('stale_epoch')
    await silent.until(() => silent.closed)

    const link = runner.links[0]!
    link.socket.send({ type: 'batch', epoch: runner.epoch + 5, seq: 1, events: [{ type: 'workspace.features', checkpoints: 'available' }] })
    const wrongEpoch = await link.socket.until((f) => f.find((x) => x.type === 'refused'))
    expect(wrongEpoch.error.code).toBe('stale_epoch')
    await link.socket.until(() => link.socket.closed)
    runner.close()
  })
})

describe('link access and hibernation', () => {
  it('should refuse a link from a runner token of another workspace', async () => {
    const { threadId, runner } = await runnerThread()
    const outsiderRunner = await ScriptedRunner.start({ workspaceId: uniqueId('ws-other') })
    // Refused at upgrade (403), so no frame, effects included, ever reaches it.
    await expect(openLink(outsiderRunner.tok, threadId, outsiderRunner.epoch, outsiderRunner.runnerId)).rejects.toThrow(/upgrade failed: 403/)
    outsiderRunner.close()
    runner.close()
  })

  it('should keep a hibernated link working after the object is evicted', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'before eviction' })
    const start = await link.effect('turn.start')
    await link.startTurn(start)
    await evictDurableObject(env.THREADS.get(env.THREADS.idFromName(threadId)))
    // The woken object finds its runner link again: batches go on, effects still reach it.
    await link.finishTurn(start)
    expect((await projection(tok, threadId)).runs[0].status).toBe('completed')
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'after eviction' })
    await link.runNext({ runOrdinal: 2 })
    expect((await projection(tok, threadId)).runs.map((r: any) => r.status)).toEqual(['completed', 'completed'])
    runner.close()
  })
})

describe('reconnecting', () => {
  it('should resume the same epoch after a network blip: lastSeq says what to resend, unacked effects come again, the run goes on', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'long task' })
    const start = await link.effect('turn.start')
    await link.send([{ type: 'session.started', provider: 'codex', model: 'fake-model' }])
    expect(link.seq).toBe(1)
    // Batch 2 goes out and the connection drops before its ack is read.
    link.socket.send({
      type: 'batch',
      epoch: runner.epoch,
      seq: 2,
      events: [{ type: 'turn.started', runId: start.body.runId, attemptId: start.body.attemptId, nativeTurnId: 'turn-blip' }],
    })
    link.close()
    await link.socket.until(() => link.socket.closed)

    const again = await runner.link(threadId)
    expect(again.epoch).toBe(runner.epoch)
    expect([1, 2]).toContain(again.seq)
    // The effect was never accepted: it comes again, with the same id.
    const redelivered = await again.effect('turn.start')
    expect(redelivered.effectId).toBe(start.effectId)
    expect(redelivered.body).toEqual(start.body)
    // Resend what the welcome says is missing; a resend of what it has is harmless.
    const resend = { type: 'turn.started' as const, runId: start.body.runId, attemptId: start.body.attemptId, nativeTurnId: 'turn-blip' }
    expect(await again.batch([resend], 2)).toEqual({ type: 'ack', seq: 2 })
    expect(await again.batch([resend], 2)).toEqual({ type: 'ack', seq: 2 })
    await again.send([{ type: 'effect.accepted', effectId: start.effectId }, assistantItem(start.body.runId, 'm', 'completed', 'done'), turnCompleted(start, 'turn-blip')])

    const p = await projection(tok, threadId)
    expect(p.runs).toHaveLength(1)
    expect(p.runs[0].status).toBe('completed')
    expect(p.runs[0].failure).toBeNull()
    expect(p.attempts).toHaveLength(1)
    expect(p.providerTurns).toHaveLength(1)
    expect(p.turnItems.filter((i: any) => i.content.type === 'assistant_message')).toHaveLength(1)
    // Another blip: the accepted effect is offered again (the runner ignores known ids) and
    // keeps its status; nothing new is committed by the reconnect.
    expect((await outboxRows(threadId, 'turn.start')).map((r) => r.status)).toEqual(['accepted'])
    const third = await runner.link(threadId)
    expect(third.seq).toBe(3)
    expect((await third.effect('turn.start')).effectId).toBe(start.effectId)
    expect((await outboxRows(threadId, 'turn.start')).map((r) => r.status)).toEqual(['accepted'])
    expect((await projection(tok, threadId)).sequence).toBe(p.sequence)
    runner.close()
  })

  it('should replace an open link of the same epoch with the new one', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    const second = await runner.link(threadId)
    await link.socket.until(() => link.socket.closed)
    expect(link.socket.closed?.code).toBe(4009)
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'on the new link' })
    await second.runNext({ runOrdinal: 1 })
    expect((await projection(tok, threadId)).runs[0].status).toBe('completed')
    expect(link.effects()).toHaveLength(0)
    runner.close()
  })

  it('should fence the old epoch when a new runner process connects: its run ends runner_lost and its links are refused', async () => {
    const { tok, threadId, link, runner, workspaceId } = await runnerThread()
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'first' })
    const start = await link.effect('turn.start')
    await link.startTurn(start)
    await link.send([
      {
        type: 'request.opened',
        runId: start.body.runId,
        nativeRequestId: 'approve-1',
        nativeItemId: null,
        kind: 'command',
        prompt: 'rm -rf build?',
        detail: null,
        questions: null,
        availableDecisions: ['accept', 'decline'],
      },
    ])
    expect((await projection(tok, threadId)).runs[0].status).toBe('waiting')

    const fresh = await ScriptedRunner.start({ workspaceId })
    expect(fresh.epoch).toBe(runner.epoch + 1)
    await runner.control.until(() => runner.control.closed)
    expect(runner.control.closed?.code).toBe(4009)
    await link.socket.until(() => link.socket.closed)

    const ended = await eventually(async () => {
      const p = await projection(tok, threadId)
      return p.runs[0].status === 'interrupted' ? p : null
    })
    const run = ended.runs[0]
    expect(run.failure).toMatchObject({ class: 'runner_lost' })
    expect(ended.attempts[0].status).toBe('interrupted')
    expect(ended.nodes.find((n: any) => n.id === run.rootNodeId).status).toBe('interrupted')
    expect(ended.runtimeRequests[0]).toMatchObject({ status: 'expired', responseCapability: { type: 'not_resumable', reason: 'runner_lost' } })
    expect(ended.providerSessions.every((s: any) => s.status === 'stopped')).toBe(true)

    // The old process cannot come back: neither its link nor its control socket.
    const { socket, answer } = await openLink(runner.tok, threadId, runner.epoch, runner.runnerId)
    expect(answer.type).toBe('refused')
    expect(answer.error.code).toBe('stale_epoch')
    await socket.until(() => socket.closed)
    const oldControl = await connect(`/v1/runner/control?workspaceId=${workspaceId}`, runner.tok, 'runner')
    oldControl.send({ type: 'hello', protocolVersion: RUNNER_PROTOCOL_VERSION, runnerId: runner.runnerId, epoch: runner.epoch, workspaceRoot: null })
    const refused = await oldControl.until((f) => f.find((x) => x.type === 'refused'))
    expect(refused.error.code).toBe('stale_epoch')

    // The new process serves the next message.
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'second' })
    await fresh.control.until((f) => f.find((x) => x.type === 'attach' && x.threadId === threadId))
    const newLink = await fresh.link(threadId)
    const next = await newLink.runNext({ runOrdinal: 2 }, { text: 'served by the new runner' })
    expect(next.body.runOrdinal).toBe(2)
    const final = await projection(tok, threadId)
    expect(final.runs.map((r: any) => r.status)).toEqual(['interrupted', 'completed'])
    expect(final.runs[1].runnerEpoch).toBe(fresh.epoch)
    // The fenced process never saw the second run's effect.
    expect(link.effects('turn.start')).toHaveLength(1)
    fresh.close()
  })

  it('should send attach requests to the control socket the process reconnected with, not a stale one', async () => {
    const workspaceId = uniqueId('ws-link')
    const tok = await token({ workspaces: [workspaceId] })
    const first = await ScriptedRunner.start({ workspaceId })
    // The process reconnects while the server still holds its old, half-open control socket.
    const second = await ScriptedRunner.start({ workspaceId, epoch: first.epoch, runnerId: first.runnerId, token: first.tok })
    expect(second.epoch).toBe(first.epoch)
    await first.control.until(() => first.control.closed)
    const threadId = await createThread(tok, undefined, { workspaceId })
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'who gets the attach?' })
    await second.control.until((f) => f.find((x) => x.type === 'attach' && x.threadId === threadId))
    expect(first.attachRequests()).toEqual([])
    second.close()
  })

  it('should keep the epoch when the same process reconnects its control socket', async () => {
    const workspaceId = uniqueId('ws-link')
    const first = await ScriptedRunner.start({ workspaceId })
    first.control.close()
    await first.control.until(() => first.control.closed)
    const resumed = await ScriptedRunner.start({ workspaceId, epoch: first.epoch, runnerId: first.runnerId, token: first.tok })
    expect(resumed.epoch).toBe(first.epoch)
    // Another runner id cannot claim that epoch.
    const control = await connect(`/v1/runner/control?workspaceId=${workspaceId}`, first.tok, 'runner')
    control.send({ type: 'hello', protocolVersion: RUNNER_PROTOCOL_VERSION, runnerId: 'impostor', epoch: first.epoch, workspaceRoot: null })
    expect((await control.until((f) => f.find((x) => x.type === 'refused'))).error.code).toBe('stale_epoch')
    resumed.close()
  })
})

describe('protocol versions', () => {
  it('should refuse a runner speaking protocol 2 on the control socket, naming both versions', async () => {
    const workspaceId = uniqueId('ws-link')
    const control = await connect(`/v1/runner/control?workspaceId=${workspaceId}`, await runnerToken([workspaceId]), 'runner')
    control.send({ type: 'hello', protocolVersion: 2, runnerId: 'future-runner', epoch: null, workspaceRoot: null })
    const refused = await control.until((f) => f.find((x) => x.type === 'refused'))
    expect(refused.error.code).toBe('protocol_version_mismatch')
    expect(refused.error.message).toContain(String(RUNNER_PROTOCOL_VERSION))
    expect(refused.error.message).toContain('2')
    expect(refused.error.details).toEqual({ worker: RUNNER_PROTOCOL_VERSION, runner: 2 })
    await control.until(() => control.closed)
    expect(control.frames.some((x) => x.type === 'welcome')).toBe(false)
  })

  it('should refuse a link hello speaking protocol 2, naming both versions', async () => {
    const { runner, threadId } = await runnerThread()
    const socket = await connect(`/v1/runner/threads/${threadId}/link`, runner.tok, 'runner')
    socket.send({ type: 'hello', protocolVersion: 2, runnerId: runner.runnerId, epoch: runner.epoch })
    const refused = await socket.until((f) => f.find((x) => x.type === 'refused'))
    expect(refused.error).toMatchObject({ code: 'protocol_version_mismatch', details: { worker: RUNNER_PROTOCOL_VERSION, runner: 2 } })
    expect(refused.error.message).toMatch(/1.*2|2.*1/)
    await socket.until(() => socket.closed)
    runner.close()
  })
})
