import { describe, expect, it } from 'vitest'
import { api, createThread, dispatch, projection, token, uniqueId } from './helpers.ts'
import { checkpointRefOf, nativeTurnOf, runnerThread } from './runner-helpers.ts'
import { outboxRows, writtenRows } from './storage-helpers.ts'
import { eventually } from './wait.ts'

const message = (threadId: string, text: string) => ({ type: 'message.dispatch', threadId, text })

/** A thread whose runner finished `runs` runs, each leaving a checkpoint. */
const withRuns = async (runs: number) => {
  const setup = await runnerThread()
  const starts = []
  for (let ordinal = 1; ordinal <= runs; ordinal++) {
    await dispatch(setup.tok, message(setup.threadId, `message ${ordinal}`))
    starts.push(await setup.link.runNext({ runOrdinal: ordinal }))
  }
  return { ...setup, starts }
}

describe('checkpoint.rollback', () => {
  it('should refuse an unknown checkpoint with 409 checkpoint_not_found', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const result = await dispatch(tok, { type: 'checkpoint.rollback', threadId, checkpointId: 'checkpoint:nope:1' })
    expect(result.status).toBe(409)
    expect(result.body.code).toBe('checkpoint_not_found')
  })

  it('should roll back to a checkpoint: later runs and their items rolled back, the runner told', async () => {
    const { tok, threadId, link, runner, starts } = await withRuns(2)
    const before = await projection(tok, threadId)
    expect(before.checkpoints.map((c: any) => [c.appRunOrdinal, c.status])).toEqual([[1, 'ready'], [2, 'ready']])
    const target = before.checkpoints.find((c: any) => c.appRunOrdinal === 1)

    const result = await dispatch(tok, { type: 'checkpoint.rollback', threadId, checkpointId: target.id })
    expect(result.status).toBe(200)
    const p = await projection(tok, threadId)
    expect(p.runs.map((r: any) => [r.ordinal, r.status])).toEqual([[1, 'completed'], [2, 'rolled_back']])
    expect(new Set(p.turnItems.filter((i: any) => i.runId === starts[1]!.body.runId).map((i: any) => i.status))).toEqual(new Set(['rolled_back']))
    expect(p.checkpoints.map((c: any) => [c.appRunOrdinal, c.status])).toEqual([[1, 'ready'], [2, 'stale']])

    const rollback = await link.effect('thread.rollback')
    expect(rollback.body).toMatchObject({
      checkpointId: target.id,
      ref: checkpointRefOf(1),
      appRunOrdinal: 1,
      nativeTurnRefs: [nativeTurnOf(starts[1]!.body.attemptId)],
      providerThread: { provider: 'codex' },
    })
    expect(await outboxRows(threadId, 'thread.rollback')).toEqual([
      expect.objectContaining({ effect_id: rollback.effectId, target: 'runner', status: 'delivered', epoch: runner.epoch }),
    ])
    // A checkpoint made stale by the rollback is no longer a place to go.
    const stale = p.checkpoints.find((c: any) => c.appRunOrdinal === 2)
    const again = await dispatch(tok, { type: 'checkpoint.rollback', threadId, checkpointId: stale.id })
    expect(again.status).toBe(409)
    expect(again.body.code).toBe('checkpoint_not_ready')
    runner.close()
  })

  it('should refuse a rollback while a run is queued with 409 run_active', async () => {
    const { tok, threadId, runner } = await withRuns(1)
    const [checkpoint] = (await projection(tok, threadId)).checkpoints
    runner.close()
    await dispatch(tok, message(threadId, 'in the way'))
    const before = await writtenRows(threadId)
    const result = await dispatch(tok, { type: 'checkpoint.rollback', threadId, checkpointId: checkpoint.id })
    expect(result.status).toBe(409)
    expect(result.body.code).toBe('run_active')
    expect((await writtenRows(threadId)).events).toEqual(before.events)
  })
})

describe('thread.fork', () => {
  it('should refuse a fork with no completed run to start from with 409 fork_point_invalid', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const result = await dispatch(tok, { type: 'thread.fork', threadId, targetThreadId: uniqueId('fork'), sourcePoint: { type: 'latest_stable' } })
    expect(result.status).toBe(409)
    expect(result.body.code).toBe('fork_point_invalid')
  })

  it('should refuse to fork a thread into itself with 400 invalid_request', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const result = await dispatch(tok, { type: 'thread.fork', threadId, targetThreadId: threadId, sourcePoint: { type: 'latest_stable' } })
    expect(result.status).toBe(400)
    expect(result.body).toMatchObject({ code: 'invalid_request', details: { path: ['targetThreadId'] } })
  })

  it('should record the transfer, seed the target through the outbox, and show the inherited items there', async () => {
    const { tok, threadId, runner } = await withRuns(2)
    const targetThreadId = uniqueId('fork')
    const source = await projection(tok, threadId)
    const run1 = source.runs[0]
    const result = await dispatch(tok, { type: 'thread.fork', threadId, targetThreadId, sourcePoint: { type: 'run', runId: run1.id }, title: 'My fork' })
    expect(result.status).toBe(200)

    const after = await projection(tok, threadId)
    expect(after.contextTransfers).toEqual([
      expect.objectContaining({ type: 'fork', sourceThreadId: threadId, targetThreadId, sourcePoint: expect.objectContaining({ runId: run1.id, runOrdinal: 1 }) }),
    ])
    expect(['pending', 'delivered']).toContain(after.contextTransfers[0].status)
    const [seedRow] = await outboxRows(threadId, 'fork.seed')
    expect(seedRow).toMatchObject({ target: 'thread', created_sequence: result.body.sequence })
    expect(JSON.parse(seedRow!.payload).body.targetThreadId).toBe(targetThreadId)
    await eventually(async () => (await outboxRows(threadId, 'fork.seed'))[0]?.status === 'acked')
    await eventually(async () => (await projection(tok, threadId)).contextTransfers[0].status === 'delivered')

    const fork = await projection(tok, targetThreadId)
    expect(fork.thread).toMatchObject({
      title: 'My fork',
      workspaceId: runner.workspaceId,
      lineage: { parentThreadId: threadId, relationshipToParent: 'fork', rootThreadId: threadId },
      forkedFrom: { threadId, runId: run1.id, transferId: after.contextTransfers[0].id },
    })
    const run1Items = source.turnItems.filter((i: any) => i.runId === run1.id)
    expect(run1Items.length).toBeGreaterThan(1)
    const inherited = fork.turnItems.filter((i: any) => i.visibility === 'inherited')
    expect(inherited.map((i: any) => [i.id, i.ordinal, i.content])).toEqual(run1Items.map((i: any) => [i.id, i.ordinal, i.content]))
    expect(fork.turnItems.at(-1).content).toMatchObject({ type: 'fork', sourceThreadId: threadId, targetThreadId })
    expect(fork.messages.map((m: any) => m.text)).toEqual(expect.arrayContaining(['message 1']))
    expect(fork.messages.map((m: any) => m.text)).not.toContain('message 2')
    expect(fork.runs).toEqual([])

    const again = await dispatch(tok, { type: 'thread.fork', threadId, targetThreadId, sourcePoint: { type: 'latest_stable' } })
    expect(again.status).toBe(409)
    expect(again.body.code).toBe('thread_exists')
    runner.close()
  })

  it('should mark the transfer failed, visibly, when the target id is already taken', async () => {
    const { tok, threadId, runner } = await withRuns(1)
    const taken = await createThread(tok, undefined, { workspaceId: runner.workspaceId } as never)
    const result = await dispatch(tok, { type: 'thread.fork', threadId, targetThreadId: taken, sourcePoint: { type: 'latest_stable' } })
    expect(result.status).toBe(200)
    await eventually(async () => (await projection(tok, threadId)).contextTransfers[0]?.status === 'failed')
    const after = await projection(tok, threadId)
    expect(after.contextTransfers[0].error).toContain('already exists')
    expect((await projection(tok, taken)).thread.forkedFrom).toBeNull()
    runner.close()
  })
})

describe('thread.merge_back', () => {
  it('should refuse a thread that is not a fork of the target with 409 transfer_invalid', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const other = await createThread(tok)
    const result = await dispatch(tok, { type: 'thread.merge_back', threadId, targetThreadId: other })
    expect(result.status).toBe(409)
    expect(result.body.code).toBe('transfer_invalid')
  })

  it('should refuse a fork with no run of its own, then deliver its own work to the source', async () => {
    const { tok, threadId, runner } = await withRuns(1)
    const forkId = uniqueId('fork')
    expect((await dispatch(tok, { type: 'thread.fork', threadId, targetThreadId: forkId, sourcePoint: { type: 'latest_stable' } })).status).toBe(200)
    await eventually(async () => (await api(`/v1/threads/${forkId}`, { token: tok })).status === 200)

    // Inherited items are not the fork's own: with no run of its own there is no point to merge.
    const empty = await dispatch(tok, { type: 'thread.merge_back', threadId: forkId, targetThreadId: threadId })
    expect(empty.status).toBe(409)
    expect(empty.body.code).toBe('fork_point_invalid')

    const forkLink = await runner.link(forkId)
    await dispatch(tok, message(forkId, 'work on the fork'))
    await forkLink.runNext({ runOrdinal: 1 }, { text: 'done on the fork' })
    const result = await dispatch(tok, { type: 'thread.merge_back', threadId: forkId, targetThreadId: threadId })
    expect(result.status).toBe(200)
    const [deliverRow] = await outboxRows(forkId, 'merge_back.deliver')
    expect(deliverRow).toMatchObject({ target: 'thread', created_sequence: result.body.sequence })
    await eventually(async () => (await outboxRows(forkId, 'merge_back.deliver'))[0]?.status === 'acked')

    const source = await projection(tok, threadId)
    const transfer = source.contextTransfers.find((t: any) => t.type === 'merge_back')
    expect(transfer).toMatchObject({ sourceThreadId: forkId, targetThreadId: threadId, status: 'delivered' })
    expect(source.turnItems.at(-1).content).toMatchObject({ type: 'fork', transferId: transfer.id, sourceThreadId: forkId })

    const twice = await dispatch(tok, { type: 'thread.merge_back', threadId: forkId, targetThreadId: threadId })
    expect(twice.status).toBe(409)
    expect(twice.body.code).toBe('transfer_invalid')
    runner.close()
  })
})

describe('provider switch (thread.model-selection.set)', () => {
  it('should run the next turn on the new provider, on a provider thread of its own', async () => {
    const { tok, threadId, link, runner } = await withRuns(1)
    const before = await outboxRows(threadId)
    const result = await dispatch(tok, { type: 'thread.model-selection.set', threadId, modelSelection: { provider: 'claude', model: 'sonnet' } })
    expect(result.status).toBe(200)
    // The switch itself asks nothing of the runner: only the summary row changes.
    const after = await outboxRows(threadId)
    expect(after.map((r) => r.effect_id)).toEqual(before.map((r) => r.effect_id))

    await dispatch(tok, message(threadId, 'now with claude'))
    const start = await link.effect('turn.start', (e) => e.body.runOrdinal === 2)
    expect(start.body).toMatchObject({ modelSelection: { provider: 'claude', model: 'sonnet' }, providerThread: null })
    const p = await projection(tok, threadId)
    expect(p.runs.map((r: any) => r.provider)).toEqual(['codex', 'claude'])
    runner.close()
  })
})
