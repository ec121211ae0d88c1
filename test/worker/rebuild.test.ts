import { evictDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { PROJECTION_SCHEMA_VERSION } from '../../src/contracts/index.ts'
import { api, dispatch, projection, uniqueId } from './helpers.ts'
import { runnerThread } from './runner-helpers.ts'
import { sqlRows, threadStub } from './storage-helpers.ts'
import { eventually } from './wait.ts'

/**
 * A thread with some history: a completed run with a checkpoint, a run that asked for approval
 * and failed, settings changed, a fork seeded from it, and its sessions closed by an archive
 * and unarchive (so no timer changes it while a test compares).
 */
const threadWithHistory = async () => {
  const { tok, threadId, link, runner } = await runnerThread()
  await dispatch(tok, { type: 'message.dispatch', threadId, text: 'first' })
  await link.runNext({ runOrdinal: 1 })
  await dispatch(tok, { type: 'message.dispatch', threadId, text: 'second' })
  const start = await link.effect('turn.start', (e) => e.body.runOrdinal === 2)
  await link.startTurn(start)
  await link.send([
    { type: 'request.opened', runId: start.body.runId, nativeRequestId: 'req-1', nativeItemId: null, kind: 'file-change', prompt: 'edit?', detail: { path: 'a.ts' }, questions: null, availableDecisions: ['accept', 'decline'] },
  ])
  const [request] = (await projection(tok, threadId)).runtimeRequests
  await dispatch(tok, { type: 'runtime-request.respond', threadId, requestId: request.id, decision: 'accept' })
  await link.finishTurn(start, { status: 'failed', text: 'partial', checkpoint: false })
  await dispatch(tok, { type: 'thread.runtime-mode.set', threadId, runtimeMode: 'auto-accept-edits' })
  await dispatch(tok, { type: 'thread.metadata.update', threadId, title: 'With history', branch: 'feature/rebuild' })
  const forkId = uniqueId('fork')
  await dispatch(tok, { type: 'thread.fork', threadId, targetThreadId: forkId, sourcePoint: { type: 'latest_stable' } })
  await dispatch(tok, { type: 'thread.archive', threadId })
  await dispatch(tok, { type: 'thread.unarchive', threadId })
  runner.close()
  await eventually(async () => (await api(`/v1/threads/${forkId}`, { token: tok })).status === 200)
  return { tok, threadId, forkId }
}

const metaValue = async (threadId: string, key: string) => (await sqlRows<{ value: string }>(threadId, 'SELECT value FROM meta WHERE key = ?', key))[0]?.value
const lastSequence = async (threadId: string) => (await sqlRows<{ s: number }>(threadId, 'SELECT max(sequence) AS s FROM events'))[0]?.s
/** Projection rows are written behind the log (worker/thread/write-behind.ts): waits until they cover it. */
const flushed = (threadId: string) =>
  eventually(async () => Number(await metaValue(threadId, 'projected_sequence')) === (await lastSequence(threadId)), 5000)

const entityRows = (threadId: string) => sqlRows(threadId, 'SELECT kind, id, run_id, status, payload, sequence FROM entities ORDER BY kind, id')
const projectionVersion = async (threadId: string) =>
  (await sqlRows<{ value: string }>(threadId, "SELECT value FROM meta WHERE key = 'projection_version'"))[0]?.value

describe('an object rebuilt from storage', () => {
  it.each(['source', 'fork'] as const)('should give the same projection for the %s after eviction', async (which) => {
    const setup = await threadWithHistory()
    const threadId = which === 'source' ? setup.threadId : setup.forkId
    const before = await projection(setup.tok, threadId)
    expect(before.turnItems.length).toBeGreaterThan(2)
    await evictDurableObject(threadStub(threadId))
    expect(await projection(setup.tok, threadId)).toEqual(before)
    // The sequence carries on from the log.
    const next = await dispatch(setup.tok, { type: 'thread.metadata.update', threadId, title: 'After eviction' })
    expect(next.body.sequence).toBe(before.sequence + 1)
  })

  it.each([
    { label: 'deleted', corrupt: 'DELETE FROM entities' },
    { label: 'garbled', corrupt: "UPDATE entities SET payload = '{\"id\":\"garbage\"}', status = 'garbage'" },
    { label: 'partly missing', corrupt: "DELETE FROM entities WHERE kind IN ('runs', 'turnItems')" },
  ])('should rebuild $label projection rows from the log when the schema version changed', async ({ corrupt }) => {
    const { tok, threadId } = await threadWithHistory()
    await flushed(threadId)
    const before = await projection(tok, threadId)
    const rowsBefore = await entityRows(threadId)
    await sqlRows(threadId, corrupt)
    await sqlRows(threadId, "UPDATE meta SET value = '0' WHERE key = 'projection_version'")
    await evictDurableObject(threadStub(threadId))

    expect(await projection(tok, threadId)).toEqual(before)
    expect(await entityRows(threadId)).toEqual(rowsBefore)
    expect(await projectionVersion(threadId)).toBe(String(PROJECTION_SCHEMA_VERSION))
  })

  it('should load the projection rows as they are while the schema version is current', async () => {
    // The control for the test above: without the version change nothing is rebuilt.
    const { tok, threadId } = await threadWithHistory()
    await flushed(threadId)
    await sqlRows(threadId, 'DELETE FROM entities')
    await evictDurableObject(threadStub(threadId))
    expect((await api(`/v1/threads/${threadId}`, { token: tok })).status).toBe(404)
  })

  it('should fold the log written after the projection rows into them when it wakes', async () => {
    const { tok, threadId } = await threadWithHistory()
    await flushed(threadId)
    const rowsFlushed = await entityRows(threadId)
    await dispatch(tok, { type: 'thread.metadata.update', threadId, title: 'Not yet in the rows' })
    await dispatch(tok, { type: 'thread.runtime-mode.set', threadId, runtimeMode: 'full-access' })
    const before = await projection(tok, threadId)
    // Evicted before the write-behind flush: the rows still say what they said, the log more.
    expect(await entityRows(threadId)).toEqual(rowsFlushed)
    expect(Number(await metaValue(threadId, 'projected_sequence'))).toBe(before.sequence - 2)
    await evictDurableObject(threadStub(threadId))
    expect(await projection(tok, threadId)).toEqual(before)
    await flushed(threadId)
    const thread = (await entityRows(threadId)).find((r: any) => r.kind === 'thread') as { payload: string; sequence: number }
    expect(JSON.parse(thread.payload)).toMatchObject({ title: 'Not yet in the rows', runtimeMode: 'full-access' })
    expect(thread.sequence).toBe(before.sequence)
  })

  it('should keep streaming text and the hibernated runner link across an eviction', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'stream something' })
    const start = await link.effect('turn.start')
    await link.startTurn(start)
    const nativeItemId = 'streamed-1'
    await link.send([{ type: 'item.updated', runId: start.body.runId, nativeItemId, parentNativeItemId: null, status: 'running', content: { type: 'assistant_message', text: '' } }])
    const itemId = (await projection(tok, threadId)).turnItems.find((i: any) => i.content.type === 'assistant_message').id
    link.delta(itemId, 0, 'Hello, ')
    link.delta(itemId, 7, 'world')
    const before = await eventually(async () => {
      const p = await projection(tok, threadId)
      return p.streaming[itemId] === 'Hello, world' && p
    })
    await evictDurableObject(threadStub(threadId))
    // The buffer row is written at most once a second per item (worker/thread/link.ts): the
    // woken object has the text as of its last write, here the first delta; the rest of the
    // projection is exactly as before, and the item's completion carries the whole text.
    const woken = await projection(tok, threadId)
    expect(woken.streaming).toEqual({ [itemId]: 'Hello, ' })
    expect({ ...woken, streaming: before.streaming }).toEqual(before)

    // The link hibernated with the object and still carries batches after it wakes.
    await link.send([
      { type: 'item.updated', runId: start.body.runId, nativeItemId, parentNativeItemId: null, status: 'completed', content: { type: 'assistant_message', text: 'Hello, world!' } },
    ])
    await link.finishTurn(start, { text: null, checkpoint: false })
    const after = await projection(tok, threadId)
    expect(after.streaming).toEqual({})
    expect(after.runs[0].status).toBe('completed')
    expect(after.messages.find((m: any) => m.role === 'assistant').text).toBe('Hello, world!')
    expect(await sqlRows(threadId, 'SELECT * FROM stream_buffer')).toEqual([])
    runner.close()
  })
})
