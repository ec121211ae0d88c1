import { env, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { ThreadObject } from '../../worker/thread/thread-object.ts'
import type { Env } from '../../worker/env.ts'
import { connect, createThread, dispatch, token, uniqueId } from './helpers.ts'
import { call, minted, upgrade } from './security-helpers.ts'

const rename = (threadId: string, title: string) => JSON.stringify({ commandId: uniqueId('cmd'), type: 'thread.metadata.update', threadId, title })

/**
 * The pool configures every object alike; this gives one thread object a tight limit by
 * replacing its runtime's env (the only way to vary an object's configuration per test here).
 */
const limitThread = async (threadId: string, vars: Partial<Env>) => {
  const stub = env.THREADS.get(env.THREADS.idFromName(threadId))
  await runInDurableObject(stub, (instance: ThreadObject) => {
    const rt = (instance as unknown as { rt: { env: Env } }).rt
    rt.env = { ...rt.env, ...vars }
  })
}

describe('per-token rate limit', () => {
  it('should answer 429 rate_limited with Retry-After once the token\'s burst is spent, and count per token', async () => {
    const threadId = await createThread(await token())
    const tight = { LOOM_RATE_TOKEN_PER_MINUTE: '6', LOOM_RATE_TOKEN_BURST: '3', LOOM_TOKEN_GUARD_REFRESH_MS: '0' }
    const tok = await minted({ jti: uniqueId('jti') })
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) statuses.push((await call(`/v1/threads/${threadId}`, { token: tok }, tight)).status)
    expect(statuses).toEqual([200, 200, 200])
    const limited = await call(`/v1/threads/${threadId}`, { token: tok }, tight)
    expect(limited.status).toBe(429)
    expect(limited.body).toMatchObject({ code: 'rate_limited', details: { scope: 'token' } })
    expect(typeof limited.body.message).toBe('string')
    // 6 a minute: one request back every 10 s.
    expect(limited.headers.get('Retry-After')).toBe(String(limited.body.details.retryAfterSeconds))
    expect(limited.body.details.retryAfterSeconds).toBeGreaterThanOrEqual(9)
    expect(limited.body.details.retryAfterSeconds).toBeLessThanOrEqual(10)
    // Socket upgrades count too.
    expect((await upgrade(`/v1/ws?threadId=${threadId}`, tok, { vars: tight })).status).toBe(429)
    // Another token has its own bucket.
    expect((await call(`/v1/threads/${threadId}`, { token: await minted({ jti: uniqueId('jti') }) }, tight)).status).toBe(200)
  })

  it('should change nothing when a dispatch is limited', async () => {
    const threadId = await createThread(await token())
    const tight = { LOOM_RATE_TOKEN_PER_MINUTE: '1', LOOM_RATE_TOKEN_BURST: '1', LOOM_TOKEN_GUARD_REFRESH_MS: '0' }
    const tok = await minted({ jti: uniqueId('jti') })
    expect((await call('/v1/commands', { method: 'POST', token: tok, body: rename(threadId, 'first') }, tight)).status).toBe(200)
    const limited = await call('/v1/commands', { method: 'POST', token: tok, body: rename(threadId, 'second') }, tight)
    expect(limited.status).toBe(429)
    expect((await call(`/v1/threads/${threadId}`, { token: await token() })).body.thread.title).toBe('first')
  })

  it('should serve from the last verdict within the refresh window, and debit what it served at the next ask', async () => {
    const threadId = await createThread(await token())
    const rate = { LOOM_RATE_TOKEN_PER_MINUTE: '6', LOOM_RATE_TOKEN_BURST: '3' }
    const tok = await minted({ jti: uniqueId('jti') })
    // The first request asks the guard; the next four are answered here without a round trip.
    const served: number[] = []
    for (let i = 0; i < 5; i++) served.push((await call(`/v1/threads/${threadId}`, { token: tok }, { ...rate, LOOM_TOKEN_GUARD_REFRESH_MS: '60000' })).status)
    expect(served).toEqual([200, 200, 200, 200, 200])
    // The next ask reports those four: the bucket (3) is overdrawn, so the token waits for the refill.
    const limited = await call(`/v1/threads/${threadId}`, { token: tok }, { ...rate, LOOM_TOKEN_GUARD_REFRESH_MS: '0' })
    expect(limited.status).toBe(429)
    expect(limited.body.details.retryAfterSeconds).toBeGreaterThan(10)
  })

  it('should not limit with the default configuration', async () => {
    const threadId = await createThread(await token())
    const tok = await minted({ jti: uniqueId('jti') })
    const results = await Promise.all(Array.from({ length: 60 }, () => call(`/v1/threads/${threadId}`, { token: tok })))
    expect(results.filter((r) => r.status !== 200)).toEqual([])
  })
})

describe('per-thread rate limit', () => {
  it('should refuse commands past the thread\'s burst with 429, Retry-After and no change, whatever the token', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    await limitThread(threadId, { LOOM_RATE_THREAD_PER_MINUTE: '2', LOOM_RATE_THREAD_BURST: '2' })
    expect((await dispatch(tok, { type: 'thread.metadata.update', threadId, title: 'one' })).status).toBe(200)
    expect((await dispatch(await token({ sub: 'user:other' }), { type: 'thread.metadata.update', threadId, title: 'two' })).status).toBe(200)
    const limited = await call('/v1/commands', { method: 'POST', token: await token({ sub: 'user:third' }), body: rename(threadId, 'three') })
    expect(limited.status).toBe(429)
    expect(limited.body).toMatchObject({ code: 'rate_limited', details: { scope: 'thread' } })
    expect(limited.headers.get('Retry-After')).toBe(String(limited.body.details.retryAfterSeconds))
    expect(limited.body.details.retryAfterSeconds).toBeGreaterThanOrEqual(29)
    // Over the thread's socket the same refusal comes as an error frame; reads are not limited.
    const socket = await connect(`/v1/ws?threadId=${threadId}`, tok)
    try {
      const answer = await socket.request(1, 'dispatchCommand', { commandId: uniqueId('cmd'), type: 'thread.metadata.update', threadId, title: 'four' })
      expect(answer.error).toMatchObject({ code: 'rate_limited', details: { scope: 'thread' } })
      expect((await socket.request(2, 'getThreadProjection', { threadId })).result.thread.title).toBe('two')
    } finally {
      socket.close()
    }
  })

  it('should leave other threads alone', async () => {
    const tok = await token()
    const busy = await createThread(tok)
    const quiet = await createThread(tok)
    await limitThread(busy, { LOOM_RATE_THREAD_PER_MINUTE: '1', LOOM_RATE_THREAD_BURST: '1' })
    expect((await dispatch(tok, { type: 'thread.metadata.update', threadId: busy, title: 'a' })).status).toBe(200)
    expect((await dispatch(tok, { type: 'thread.metadata.update', threadId: busy, title: 'b' })).status).toBe(429)
    expect((await dispatch(tok, { type: 'thread.metadata.update', threadId: quiet, title: 'c' })).status).toBe(200)
  })
})
