import { evictDurableObject, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { fold, toProjection } from '../../src/domain/thread/index.ts'
import { api, connect, dispatch, projection } from './helpers.ts'
import { assistantItem, runnerThread } from './runner-helpers.ts'
import { threadStub } from './storage-helpers.ts'
import type { ThreadObject } from '../../worker/thread/thread-object.ts'

/**
 * The projection is sent as text joined entity by entity, from the JSON an entity was committed
 * as until its projection row is written, serialized afresh after (worker/thread/projection-text.ts).
 * Every way of reading it must give what a fold of the log gives: before and after the rows are
 * written, once entities have been replaced by later versions, and after a wake (when the
 * entities come from projection rows, not commits).
 */
const foldedLog = async (tok: string, threadId: string) => {
  const events = (await api(`/v1/threads/${threadId}/events?limit=1000`, { token: tok })).body.events as Array<{ sequence: number; event: any }>
  const { streaming: _streaming, ...rest } = toProjection(fold(events.map((e) => e.event)), events.at(-1)!.sequence)
  return rest
}

const readAll = async (tok: string, threadId: string) => {
  const socket = await connect(`/v1/ws?threadId=${threadId}`, tok)
  const requested = (await socket.request(1, 'getThreadProjection', { threadId })).result
  await socket.request(2, 'subscribeThread', { threadId })
  const snapshot = (await socket.until((frames) => frames.find((f) => f.item?.kind === 'snapshot'))).item.projection
  socket.close()
  return { http: await projection(tok, threadId), requested, snapshot }
}

/** Writes the projection rows now, rather than a second after the last commit (worker/thread/write-behind.ts). */
const flushRows = (threadId: string) =>
  runInDurableObject(threadStub(threadId), (instance: ThreadObject) => {
    const projection = (instance as unknown as { rt: { core: { projection: { flush(): void; projectedSequence: number } } } }).rt.core.projection
    projection.flush()
    return projection.projectedSequence
  })

const expectAllEqual = async (tok: string, threadId: string) => {
  const expected = await foldedLog(tok, threadId)
  const read = await readAll(tok, threadId)
  for (const [how, got] of Object.entries(read)) {
    const { streaming, ...rest } = got
    expect(rest, how).toEqual(expected)
    expect(streaming, how).toEqual({})
  }
  return read.http
}

describe('the projection as text', () => {
  it('should read the same over HTTP, as a socket answer and as a snapshot, as the log folds to, through updates and a wake', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'several items' })
    const start = await link.effect('turn.start')
    await link.startTurn(start)
    const item = (n: number, status: 'running' | 'completed', text: string) => assistantItem(start.body.runId, `text-item-${n}`, status, text)
    await link.send([item(1, 'running', 'first, partly'), item(2, 'running', 'second, partly')])
    // Read while the committed texts are kept, and again once the rows hold them; then replace the items.
    const early = await expectAllEqual(tok, threadId)
    expect(early.messages.map((m: any) => m.text)).toContain('first, partly')
    expect(await flushRows(threadId)).toBeGreaterThan(0)
    expect(await expectAllEqual(tok, threadId)).toEqual(early)
    await link.send([item(1, 'completed', 'first, whole'), item(2, 'completed', 'second, whole')])
    await dispatch(tok, { type: 'thread.metadata.update', threadId, title: 'Renamed after the items' })
    const late = await expectAllEqual(tok, threadId)
    expect(late.thread.title).toBe('Renamed after the items')
    expect(late.messages.map((m: any) => m.text)).toEqual(expect.arrayContaining(['first, whole', 'second, whole']))
    expect(JSON.stringify(late)).not.toContain('partly')
    await flushRows(threadId)
    expect(await expectAllEqual(tok, threadId)).toEqual(late)

    runner.close()
    await evictDurableObject(threadStub(threadId))
    const woken = await expectAllEqual(tok, threadId)
    expect(woken.messages).toEqual(late.messages)
    expect(woken.turnItems).toEqual(late.turnItems)
  })
})
