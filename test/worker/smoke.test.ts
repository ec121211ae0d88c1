import { describe, expect, it } from 'vitest'
import { api, createThread, dispatch, projection, token } from './helpers.ts'

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
