import { describe, expect, it } from 'vitest'
import { api, createThread, dispatch, projection, token, uniqueId } from './helpers.ts'
import { ScriptedRunner, runnerThread } from './runner-helpers.ts'
import { outboxRows, writtenRows } from './storage-helpers.ts'

const message = (threadId: string, text: string, extra: Record<string, unknown> = {}) => ({ type: 'message.dispatch', threadId, text, ...extra })
const runOf = (p: any, runId: string | undefined) => p.runs.find((r: any) => r.id === runId)
const runIds = async (tok: string, threadId: string): Promise<string[]> => (await projection(tok, threadId)).runs.map((r: any) => r.id)

describe('message.dispatch without a runner', () => {
  it('should keep runs queued awaiting a runner, in order, with the user messages shown', async () => {
    const tok = await token({ sub: 'user:author' })
    const threadId = await createThread(tok)
    expect((await dispatch(tok, message(threadId, 'first'))).status).toBe(200)
    expect((await dispatch(tok, message(threadId, 'second', { dispatchMode: { type: 'queue_after_active' } }))).status).toBe(200)
    const p = await projection(tok, threadId)
    expect(p.runs.map((r: any) => [r.ordinal, r.status, r.queuePosition, r.queueReason, r.requestedBy])).toEqual([
      [1, 'queued', 1, 'awaiting_runner', 'user:author'],
      [2, 'queued', 2, 'awaiting_runner', 'user:author'],
    ])
    expect(p.turnItems.map((i: any) => [i.content.type, i.content.text, i.runId])).toEqual([
      ['user_message', 'first', p.runs[0].id],
      ['user_message', 'second', p.runs[1].id],
    ])
    // Nothing can go to a runner that is not there: no provider effect is queued yet.
    expect((await outboxRows(threadId)).map((r) => r.kind)).toEqual(['shell.push'])
  })

  it.each([
    { text: '', label: 'empty' },
    { text: '   \n\t ', label: 'blank' },
  ])('should refuse an $label message with 400 invalid_request', async ({ text }) => {
    const tok = await token()
    const threadId = await createThread(tok)
    const result = await dispatch(tok, message(threadId, text))
    expect(result.status).toBe(400)
    expect(result.body).toMatchObject({ code: 'invalid_request', details: { path: ['text'] } })
    expect((await projection(tok, threadId)).runs).toEqual([])
  })

  it('should refuse a message to an unknown thread with 404 thread_not_found', async () => {
    const tok = await token()
    const result = await dispatch(tok, message(uniqueId('nowhere'), 'hello?'))
    expect(result.status).toBe(404)
    expect(result.body.code).toBe('thread_not_found')
  })

  it('should refuse a message to an archived thread with 409 thread_archived', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    await dispatch(tok, { type: 'thread.archive', threadId })
    const result = await dispatch(tok, message(threadId, 'hello'))
    expect(result.status).toBe(409)
    expect(result.body.code).toBe('thread_archived')
  })

  it.each(['steer_active', 'restart_active'])('should refuse %s with no active run with 409 run_not_active', async (type) => {
    const tok = await token()
    const threadId = await createThread(tok)
    await dispatch(tok, message(threadId, 'queued'))
    const [queued] = await runIds(tok, threadId)
    const before = await writtenRows(threadId)
    const result = await dispatch(tok, message(threadId, 'steer it', { dispatchMode: { type, targetRunId: queued } }))
    expect(result.status).toBe(409)
    expect(result.body).toMatchObject({ code: 'run_not_active', details: { activeRunId: null } })
    expect((await writtenRows(threadId)).events).toEqual(before.events)
  })
})

describe('message.dispatch with a runner', () => {
  it('should start the run at once and hand the runner its turn.start', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    expect((await dispatch(tok, message(threadId, 'go'))).status).toBe(200)
    const start = await link.effect('turn.start')
    expect(start.body).toMatchObject({ runOrdinal: 1, message: { text: 'go' }, modelSelection: { provider: 'codex' }, providerThread: null })
    const [run] = (await projection(tok, threadId)).runs
    expect(run).toMatchObject({ id: start.body.runId, status: 'starting', activeAttemptId: start.body.attemptId, runnerEpoch: runner.epoch, queueReason: null })
    expect(await outboxRows(threadId, 'turn.start')).toEqual([expect.objectContaining({ effect_id: start.effectId, target: 'runner', status: 'delivered', epoch: runner.epoch })])
    await link.startTurn(start)
    expect(runOf(await projection(tok, threadId), start.body.runId).status).toBe('running')
    expect((await outboxRows(threadId, 'turn.start'))[0]!.status).toBe('accepted')
    runner.close()
  })

  it('should queue a message behind the active run, then start it when the active one ends', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, message(threadId, 'first'))
    const first = await link.effect('turn.start')
    await link.startTurn(first)
    await dispatch(tok, message(threadId, 'second', { dispatchMode: { type: 'queue_after_active' } }))
    const [, second] = (await projection(tok, threadId)).runs
    expect(second).toMatchObject({ status: 'queued', queuePosition: 1, queueReason: 'behind_active_run' })
    await link.finishTurn(first)
    const next = await link.effect('turn.start', (e) => e.body.runId === second.id)
    expect(next.body.message.text).toBe('second')
    expect((await projection(tok, threadId)).runs.map((r: any) => r.status)).toEqual(['completed', 'starting'])
    runner.close()
  })

  it('should steer the active run natively with steer_active', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, message(threadId, 'first'))
    const start = await link.effect('turn.start')
    await link.startTurn(start)
    const result = await dispatch(tok, message(threadId, 'also this', { dispatchMode: { type: 'steer_active', targetRunId: start.body.runId } }))
    expect(result.status).toBe(200)
    const steer = await link.effect('turn.steer')
    expect(steer.body).toMatchObject({ runId: start.body.runId, attemptId: start.body.attemptId, message: { text: 'also this' } })
    const p = await projection(tok, threadId)
    expect(p.runs).toHaveLength(1)
    expect(p.turnItems.filter((i: any) => i.content.type === 'user_message').map((i: any) => [i.content.inputIntent, i.runId])).toEqual([
      ['turn_start', start.body.runId],
      ['steer', start.body.runId],
    ])
    expect(await outboxRows(threadId, 'turn.steer')).toEqual([expect.objectContaining({ status: 'delivered', epoch: runner.epoch })])
    runner.close()
  })

  it('should restart the active run with restart_active: interrupt now, a new attempt after the terminal', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, message(threadId, 'first'))
    const start = await link.effect('turn.start')
    await link.startTurn(start)
    const result = await dispatch(tok, message(threadId, 'start over', { dispatchMode: { type: 'restart_active', targetRunId: start.body.runId } }))
    expect(result.status).toBe(200)
    const interrupt = await link.effect('turn.interrupt')
    expect(interrupt.body).toMatchObject({ runId: start.body.runId, attemptId: start.body.attemptId })
    expect(runOf(await projection(tok, threadId), start.body.runId).pendingRestart).toMatchObject({ reason: 'steering_restart' })
    await link.finishTurn(start, { status: 'interrupted', text: null, checkpoint: false })
    const restart = await link.effect('turn.start', (e) => e.body.attemptId !== start.body.attemptId)
    expect(restart.body).toMatchObject({ runId: start.body.runId, message: { text: 'start over' } })
    const run = runOf(await projection(tok, threadId), start.body.runId)
    expect(run).toMatchObject({ status: 'starting', activeAttemptId: restart.body.attemptId, pendingRestart: null })
    runner.close()
  })

  it('should refuse to steer a run that is not the active one with 409 run_not_active', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, message(threadId, 'first'))
    const start = await link.effect('turn.start')
    await link.startTurn(start)
    const result = await dispatch(tok, message(threadId, 'steer', { dispatchMode: { type: 'steer_active', targetRunId: `${start.body.runId}x` } }))
    expect(result.status).toBe(409)
    expect(result.body).toMatchObject({ code: 'run_not_active', details: { activeRunId: start.body.runId } })
    runner.close()
  })
})

describe('run.interrupt', () => {
  it('should cancel a queued run', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    await dispatch(tok, message(threadId, 'never mind'))
    const [runId] = await runIds(tok, threadId)
    expect((await dispatch(tok, { type: 'run.interrupt', threadId, runId })).status).toBe(200)
    expect(runOf(await projection(tok, threadId), runId)).toMatchObject({ status: 'cancelled', queuePosition: null, queueReason: null, completedAt: expect.any(Number) })
  })

  it('should refuse an unknown run with 409 run_not_found', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const result = await dispatch(tok, { type: 'run.interrupt', threadId, runId: 'run:nope:1' })
    expect(result.status).toBe(409)
    expect(result.body.code).toBe('run_not_found')
  })

  it('should ask the runner to interrupt an active run and end it on the provider terminal', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, message(threadId, 'long job'))
    const start = await link.effect('turn.start')
    await link.startTurn(start)
    expect((await dispatch(tok, { type: 'run.interrupt', threadId, runId: start.body.runId })).status).toBe(200)
    const interrupt = await link.effect('turn.interrupt')
    expect(interrupt.body.runId).toBe(start.body.runId)
    // The acknowledgement of an interrupt is not terminal: the run still runs.
    const run = runOf(await projection(tok, threadId), start.body.runId)
    expect(run).toMatchObject({ status: 'running', interruptRequestedBy: 'user:test' })
    // A second Stop while the first is on its way is accepted and changes nothing.
    const before = await writtenRows(threadId)
    expect((await dispatch(tok, { type: 'run.interrupt', threadId, runId: start.body.runId })).status).toBe(200)
    expect((await writtenRows(threadId)).events).toEqual(before.events)
    await link.finishTurn(start, { status: 'interrupted', text: null, checkpoint: false })
    const p = await projection(tok, threadId)
    expect(runOf(p, start.body.runId).status).toBe('interrupted')
    expect(p.turnItems.map((i: any) => i.content.type)).toEqual(['user_message', 'run_interrupt_request', 'run_interrupt_result'])
    runner.close()
  })

  it('should refuse to interrupt a finished run with 409 run_not_active', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, message(threadId, 'quick'))
    const start = await link.runNext({ runOrdinal: 1 })
    const result = await dispatch(tok, { type: 'run.interrupt', threadId, runId: start.body.runId })
    expect(result.status).toBe(409)
    expect(result.body.code).toBe('run_not_active')
    runner.close()
  })
})

describe('queued-run.reorder', () => {
  const threeQueued = async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    for (const text of ['one', 'two', 'three']) await dispatch(tok, message(threadId, text))
    return { tok, threadId, ids: await runIds(tok, threadId) }
  }
  const positions = async (tok: string, threadId: string) =>
    Object.fromEntries((await projection(tok, threadId)).runs.map((r: any) => [r.ordinal, r.queuePosition]))

  it.each([
    { move: 3, before: 1, expected: { 1: 2, 2: 3, 3: 1 } },
    { move: 1, before: null, expected: { 1: 3, 2: 1, 3: 2 } },
    { move: 2, before: 1, expected: { 1: 2, 2: 1, 3: 3 } },
  ])('should move run $move before run $before', async ({ move, before, expected }) => {
    const { tok, threadId, ids } = await threeQueued()
    const result = await dispatch(tok, { type: 'queued-run.reorder', threadId, runId: ids[move - 1], beforeRunId: before === null ? null : ids[before - 1] })
    expect(result.status).toBe(200)
    expect(await positions(tok, threadId)).toEqual(expected)
  })

  it.each([
    { label: 'a run that is not queued', runId: (ids: string[]) => ids[0], beforeRunId: (ids: string[]) => ids[2] },
    { label: 'before a run that is not queued', runId: (ids: string[]) => ids[2], beforeRunId: (ids: string[]) => ids[0] },
    { label: 'an unknown run', runId: () => 'run:unknown:9', beforeRunId: () => null },
  ])('should refuse to move $label with 409 run_not_queued', async ({ runId, beforeRunId }) => {
    const { tok, threadId, ids } = await threeQueued()
    await dispatch(tok, { type: 'run.interrupt', threadId, runId: ids[0] })
    const result = await dispatch(tok, { type: 'queued-run.reorder', threadId, runId: runId(ids), beforeRunId: beforeRunId(ids) })
    expect(result.status).toBe(409)
    expect(result.body.code).toBe('run_not_queued')
    expect(await positions(tok, threadId)).toEqual({ 1: null, 2: 2, 3: 3 })
  })
})

describe('queued-message.promote-to-steer', () => {
  it('should refuse without an active run with 409 run_not_active', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    await dispatch(tok, message(threadId, 'one'))
    await dispatch(tok, message(threadId, 'two'))
    const [first, second] = await runIds(tok, threadId)
    const result = await dispatch(tok, { type: 'queued-message.promote-to-steer', threadId, queuedRunId: second, targetRunId: first })
    expect(result.status).toBe(409)
    expect(result.body.code).toBe('run_not_active')
  })

  it('should refuse a run that is not queued with 409 run_not_queued', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    await dispatch(tok, message(threadId, 'one'))
    const [first] = await runIds(tok, threadId)
    const result = await dispatch(tok, { type: 'queued-message.promote-to-steer', threadId, queuedRunId: 'run:nope:2', targetRunId: first })
    expect(result.status).toBe(409)
    expect(result.body.code).toBe('run_not_queued')
  })

  it('should move a queued message into the active run as a steer', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, message(threadId, 'working'))
    const start = await link.effect('turn.start')
    await link.startTurn(start)
    await dispatch(tok, message(threadId, 'waiting in line'))
    const [, queued] = await runIds(tok, threadId)
    const result = await dispatch(tok, { type: 'queued-message.promote-to-steer', threadId, queuedRunId: queued, targetRunId: start.body.runId })
    expect(result.status).toBe(200)
    const steer = await link.effect('turn.steer')
    expect(steer.body).toMatchObject({ runId: start.body.runId, message: { text: 'waiting in line' } })
    const p = await projection(tok, threadId)
    expect(runOf(p, queued).status).toBe('cancelled')
    expect(p.turnItems.find((i: any) => i.content.text === 'waiting in line')).toMatchObject({ runId: start.body.runId, content: { inputIntent: 'promoted_queued_to_steer' } })
    runner.close()
  })
})

describe('runtime-request.respond', () => {
  it('should refuse an unknown request with 409 request_not_found', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const result = await dispatch(tok, { type: 'runtime-request.respond', threadId, requestId: 'request:codex:nope', decision: 'accept' })
    expect(result.status).toBe(409)
    expect(result.body.code).toBe('request_not_found')
  })

  it('should record the answer with its actor and send it to the runner, once', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    const operator = await token({ sub: 'user:approver', workspaces: [runner.workspaceId] })
    await dispatch(tok, message(threadId, 'needs approval'))
    const start = await link.effect('turn.start')
    await link.startTurn(start)
    await link.send([
      { type: 'request.opened', runId: start.body.runId, nativeRequestId: 'approval-1', nativeItemId: null, kind: 'command', prompt: 'rm -rf build?', detail: null, questions: null, availableDecisions: ['accept', 'decline'] },
    ])
    const waiting = await projection(tok, threadId)
    expect(runOf(waiting, start.body.runId).status).toBe('waiting')
    const [request] = waiting.runtimeRequests
    expect(request).toMatchObject({ status: 'pending', responseCapability: { type: 'live', runnerEpoch: runner.epoch } })

    const result = await dispatch(operator, { type: 'runtime-request.respond', threadId, requestId: request.id, decision: 'accept' })
    expect(result.status).toBe(200)
    const respond = await link.effect('request.respond')
    expect(respond.body).toEqual({ kind: 'request.respond', requestId: request.id, nativeRequestRef: 'approval-1', decision: 'accept', answers: null })
    const p = await projection(tok, threadId)
    expect(p.runtimeRequests[0]).toMatchObject({ status: 'resolved', response: { decision: 'accept', by: 'user:approver' } })
    expect(runOf(p, start.body.runId).status).toBe('running')
    expect(await outboxRows(threadId, 'request.respond')).toEqual([expect.objectContaining({ status: 'delivered', epoch: runner.epoch })])

    const again = await dispatch(tok, { type: 'runtime-request.respond', threadId, requestId: request.id, decision: 'decline' })
    expect(again.status).toBe(409)
    expect(again.body).toMatchObject({ code: 'request_not_pending', details: { status: 'resolved' } })
    runner.close()
  })

  it('should refuse an answer that gives both a decision and answers with 400', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const result = await dispatch(tok, { type: 'runtime-request.respond', threadId, requestId: 'request:codex:x', decision: 'accept', answers: {} })
    expect(result.status).toBe(400)
    expect(result.body.details.issues).toContainEqual(expect.objectContaining({ path: ['decision'] }))
  })
})

describe('a runner attaching later', () => {
  it('should start the run that waited, and record who did what', async () => {
    const workspaceId = uniqueId('ws')
    const tok = await token({ sub: 'user:early', workspaces: [workspaceId] })
    const runner = await ScriptedRunner.start({ workspaceId })
    const threadId = await createThread(tok, undefined, { workspaceId })
    await dispatch(tok, message(threadId, 'waiting for a runner'))
    expect((await projection(tok, threadId)).runs[0]).toMatchObject({ status: 'queued', queueReason: 'awaiting_runner' })
    await runner.control.until(() => runner.attachRequests().includes(threadId))

    const link = await runner.link(threadId)
    const start = await link.runNext({ runOrdinal: 1 })
    expect(start.body.message.text).toBe('waiting for a runner')
    const events = (await api(`/v1/threads/${threadId}/events`, { token: tok })).body.events
    const actorOf = (type: string) => [...new Set(events.filter((e: any) => e.event.type === type).map((e: any) => e.actor))]
    expect(actorOf('run.created')).toEqual(['user:early'])
    expect(actorOf('run-attempt.created')).toEqual(['system'])
    expect(actorOf('provider-turn.updated')).toEqual([`runner:${runner.runnerId}`])
    runner.close()
  })
})
