import { describe, expect, it } from 'vitest'
import { api, connect, createThread, dispatch, projection, token } from './helpers.ts'

describe('the thread core over HTTP', () => {
  it('should create a thread, queue a message while no runner is connected, and show why', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const sent = await dispatch(tok, { type: 'message.dispatch', threadId, text: 'hello' })
    expect(sent.status).toBe(200)
    expect(sent.body.sequence).toBeGreaterThan(1)
    const p = await projection(tok, threadId)
    expect(p.runs).toHaveLength(1)
    expect(p.runs[0].status).toBe('queued')
    expect(p.runs[0].queueReason).toBe('awaiting_runner')
    expect(p.turnItems.map((i: any) => i.content.type)).toEqual(['user_message'])
    const health = await api('/v1/health')
    expect(health.body.ok).toBe(true)
  })
})

describe('the thread core over WebSocket', () => {
  it('should send a snapshot, then each new event once', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const socket = await connect(`/v1/ws?threadId=${threadId}`, tok)
    const answer = await socket.request(1, 'subscribeThread', { threadId })
    expect(answer.result.subscription).toBe(`thread:${threadId}`)
    const snapshot = await socket.until((f) => f.find((x) => x.item?.kind === 'snapshot'))
    expect(snapshot.item.sequence).toBe(1)
    await dispatch(tok, { type: 'thread.metadata.update', threadId, title: 'Renamed' })
    const event = await socket.until((f) => f.find((x) => x.item?.kind === 'event'))
    expect(event.item.sequence).toBe(2)
    expect(event.item.event.event.payload.title).toBe('Renamed')
    socket.close()
  })
})
