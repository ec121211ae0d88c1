import { describe, expect, it } from 'vitest'
import { api, connect, createThread, dispatch, token, uniqueId } from './helpers.ts'
import { ScriptedRunner } from './runner-helpers.ts'
import { outboxRows, writtenRows } from './storage-helpers.ts'

/** Reads every event of a thread, `limit` at a time, and the pages it took. */
const readAll = async (tok: string, threadId: string, limit: number) => {
  const pages: Array<{ sequences: number[]; nextAfter: number; hasMore: boolean }> = []
  let after = 0
  for (;;) {
    const page = await api(`/v1/threads/${threadId}/events?after=${after}&limit=${limit}`, { token: tok })
    expect(page.status).toBe(200)
    pages.push({ sequences: page.body.events.map((e: any) => e.sequence), nextAfter: page.body.nextAfter, hasMore: page.body.hasMore })
    if (!page.body.hasMore) return pages
    after = page.body.nextAfter
  }
}

const rename = (threadId: string, title: string) => ({ type: 'thread.metadata.update', threadId, title })

describe('event ordering', () => {
  it('should number events 1..n in commit order and page through them with after and limit', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const sequences: number[] = []
    for (let i = 0; i < 11; i++) sequences.push((await dispatch(tok, rename(threadId, `Title ${i}`))).body.sequence)
    expect(sequences).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])

    const pages = await readAll(tok, threadId, 5)
    expect(pages).toEqual([
      { sequences: [1, 2, 3, 4, 5], nextAfter: 5, hasMore: true },
      { sequences: [6, 7, 8, 9, 10], nextAfter: 10, hasMore: true },
      { sequences: [11, 12], nextAfter: 12, hasMore: false },
    ])
    const all = await api(`/v1/threads/${threadId}/events?after=0`, { token: tok })
    expect(all.body.events.map((e: any) => e.event.type)).toEqual(['thread.created', ...Array(11).fill('thread.updated')])
    expect(all.body.events.slice(1).map((e: any) => e.event.payload.title)).toEqual(Array.from({ length: 11 }, (_, i) => `Title ${i}`))
  })

  it.each([
    { after: 3, limit: 2, sequences: [4, 5], nextAfter: 5, hasMore: true },
    { after: 4, limit: 100, sequences: [5, 6], nextAfter: 6, hasMore: false },
    { after: 6, limit: 10, sequences: [], nextAfter: 6, hasMore: false },
    { after: 50, limit: 10, sequences: [], nextAfter: 50, hasMore: false },
  ])('should answer after=$after&limit=$limit with $sequences', async ({ after, limit, sequences, nextAfter, hasMore }) => {
    const tok = await token()
    const threadId = await createThread(tok)
    for (let i = 0; i < 5; i++) await dispatch(tok, rename(threadId, `T${i}`))
    const page = await api(`/v1/threads/${threadId}/events?after=${after}&limit=${limit}`, { token: tok })
    expect(page.status).toBe(200)
    expect(page.body.events.map((e: any) => e.sequence)).toEqual(sequences)
    expect(page.body.nextAfter).toBe(nextAfter)
    expect(page.body.hasMore).toBe(hasMore)
  })

  it('should give concurrent commands distinct sequences with no gap', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const commandIds = Array.from({ length: 40 }, () => uniqueId('cmd'))
    const results = await Promise.all(commandIds.map((commandId, i) => dispatch(tok, { commandId, ...rename(threadId, `Concurrent ${i}`) })))
    expect(results.every((r) => r.status === 200)).toBe(true)
    expect(results.map((r) => r.body.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 2))
    const pages = await readAll(tok, threadId, 1000)
    expect(pages.flatMap((p) => p.sequences)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1))
    // Each answer names the event its own command wrote.
    const events = (await api(`/v1/threads/${threadId}/events`, { token: tok })).body.events
    results.forEach((result, i) => {
      const event = events.find((e: any) => e.sequence === result.body.sequence)
      expect(event.commandId).toBe(commandIds[i])
      expect(event.event.payload.title).toBe(`Concurrent ${i}`)
    })
  })
})

describe('idempotency by commandId', () => {
  it('should answer a repeated command with its first sequence and write nothing', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const commandId = uniqueId('cmd')
    const first = await dispatch(tok, { commandId, type: 'message.dispatch', threadId, text: 'only once' })
    expect(first).toEqual({ status: 200, body: { sequence: expect.any(Number) } })
    await dispatch(tok, rename(threadId, 'Later'))
    const before = await writtenRows(threadId)

    const again = await dispatch(tok, { commandId, type: 'message.dispatch', threadId, text: 'only once' })
    // Even with a different body, the id decides: the first result, nothing else.
    const different = await dispatch(tok, { commandId, type: 'thread.metadata.update', threadId, title: 'Something else' })
    expect(again).toEqual(first)
    expect(different).toEqual(first)
    expect(await writtenRows(threadId)).toEqual(before)
    const runs = (await api(`/v1/threads/${threadId}`, { token: tok })).body.runs
    expect(runs).toHaveLength(1)
  })

  it('should answer a repeated create with its first sequence', async () => {
    const tok = await token()
    const threadId = uniqueId('thread')
    const commandId = uniqueId('cmd')
    const create = { commandId, type: 'thread.create', threadId, workspaceId: 'ws-test', modelSelection: { provider: 'codex', model: 'm' } }
    expect(await dispatch(tok, create)).toEqual({ status: 200, body: { sequence: 1 } })
    const before = await writtenRows(threadId)
    expect(await dispatch(tok, create)).toEqual({ status: 200, body: { sequence: 1 } })
    expect(await writtenRows(threadId)).toEqual(before)
  })

  it('should answer a repeated refused command with the same error even once it would succeed', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const commandId = uniqueId('cmd')
    const first = await dispatch(tok, { commandId, type: 'thread.unarchive', threadId })
    expect(first.status).toBe(409)
    expect(first.body.code).toBe('thread_not_archived')
    expect((await dispatch(tok, { type: 'thread.archive', threadId })).status).toBe(200)
    const before = await writtenRows(threadId)

    const again = await dispatch(tok, { commandId, type: 'thread.unarchive', threadId })
    expect(again).toEqual(first)
    expect(await writtenRows(threadId)).toEqual(before)
    expect((await api(`/v1/threads/${threadId}`, { token: tok })).body.thread.archivedAt).not.toBeNull()
  })

  it('should commit concurrent copies of one command once', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const commandId = uniqueId('cmd')
    const results = await Promise.all(Array.from({ length: 8 }, () => dispatch(tok, { commandId, ...rename(threadId, 'Once') })))
    expect(new Set(results.map((r) => JSON.stringify(r)))).toEqual(new Set([JSON.stringify({ status: 200, body: { sequence: 2 } })]))
    const { events, receipts } = await writtenRows(threadId)
    expect(events).toHaveLength(2)
    expect(receipts.filter((r) => r.command_id === commandId)).toHaveLength(1)
  })

  it('should give the same answer over HTTP and over the WebSocket', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const commandId = uniqueId('cmd')
    const http = await dispatch(tok, { commandId, ...rename(threadId, 'Via HTTP') })
    const socket = await connect(`/v1/ws?threadId=${threadId}`, tok)
    const answer = await socket.request(1, 'dispatchCommand', { commandId, ...rename(threadId, 'Via socket') })
    socket.close()
    expect(answer.result).toEqual(http.body)
    expect((await api(`/v1/threads/${threadId}`, { token: tok })).body.thread.title).toBe('Via HTTP')
  })

  it('should queue no second provider effect for a repeated dispatch', async () => {
    const workspaceId = uniqueId('ws')
    const tok = await token({ workspaces: [workspaceId] })
    const runner = await ScriptedRunner.start({ workspaceId })
    const threadId = await createThread(tok, undefined, { workspaceId })
    const link = await runner.link(threadId)
    const commandId = uniqueId('cmd')
    const first = await dispatch(tok, { commandId, type: 'message.dispatch', threadId, text: 'start a turn' })
    expect(first.status).toBe(200)
    const start = await link.effect('turn.start')
    const before = await writtenRows(threadId)

    const again = await dispatch(tok, { commandId, type: 'message.dispatch', threadId, text: 'start a turn' })
    expect(again).toEqual(first)
    expect(await writtenRows(threadId)).toEqual(before)
    const starts = await outboxRows(threadId, 'turn.start')
    expect(starts.map((r) => r.effect_id)).toEqual([start.effectId])
    // Frames on one socket arrive in order: once this ack is here, a second turn.start would be too.
    await link.send([{ type: 'effect.accepted', effectId: start.effectId }])
    expect(link.effects('turn.start')).toHaveLength(1)
    runner.close()
  })
})
