/**
 * @module The client's HTTP calls against an injected fetch (a mock of the network boundary:
 * the real worker is exercised in test/worker/client.test.ts): paths, bodies, typed results.
 */
import { describe, expect, it } from 'vitest'
import { createLoomClient } from './client.ts'

type Call = { url: string; method: string; headers: Record<string, string>; body: unknown }

const fakeFetch = (answer: (call: Call) => Response | Promise<Response>) => {
  const calls: Call[] = []
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const call: Call = {
      url: String(input),
      method: init.method ?? 'GET',
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    }
    calls.push(call)
    return answer(call)
  }
  return { calls, fetch }
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

describe('HTTP calls', () => {
  it('should dispatch with a generated command id and the bearer token', async () => {
    const net = fakeFetch(() => json(200, { sequence: 4 }))
    let n = 0
    const client = createLoomClient({ baseUrl: 'http://loom.test/', token: () => `t${++n}`, fetch: net.fetch, newId: () => 'id-1' })
    const result = await client.sendMessage('thread-1', 'hello')
    expect(result).toEqual({ ok: true, value: { sequence: 4, commandId: 'id-1' } })
    expect(net.calls[0]).toMatchObject({
      url: 'http://loom.test/v1/commands',
      method: 'POST',
      headers: { authorization: 'Bearer t1', 'content-type': 'application/json' },
      body: { type: 'message.dispatch', threadId: 'thread-1', text: 'hello', commandId: 'id-1' },
    })
    await client.dispatch({ type: 'run.interrupt', threadId: 'thread-1', runId: 'run-1', commandId: 'mine' })
    expect(net.calls[1]?.body).toMatchObject({ commandId: 'mine' })
    expect(net.calls[1]?.headers.authorization).toBe('Bearer t2')
  })

  it('should give a new thread its id', async () => {
    const net = fakeFetch(() => json(200, { sequence: 1 }))
    const client = createLoomClient({ baseUrl: 'http://loom.test', token: 't', fetch: net.fetch, newId: () => 'x' })
    const result = await client.createThread({ workspaceId: 'local', modelSelection: { provider: 'codex', model: 'm' } })
    expect(result).toEqual({ ok: true, value: { sequence: 1, commandId: 'x', threadId: 'thread-x' } })
    expect(net.calls[0]?.body).toMatchObject({ type: 'thread.create', threadId: 'thread-x', workspaceId: 'local' })
  })

  it('should return a refusal as a typed error with its status, never throw', async () => {
    const net = fakeFetch(() => json(409, { code: 'sequence_conflict', message: 'expected 3, at 5', details: { sequence: 5 } }))
    const client = createLoomClient({ baseUrl: 'http://loom.test', token: 't', fetch: net.fetch })
    const result = await client.dispatch({ type: 'thread.archive', threadId: 't1', expectedSequence: 3 })
    expect(result).toEqual({ ok: false, error: { code: 'sequence_conflict', message: 'expected 3, at 5', details: { sequence: 5 }, status: 409 } })
  })

  it.each([
    ['a network failure', () => Promise.reject(new TypeError('connection refused')), 'network_error', 0],
    ['a body that is not JSON', () => new Response('<html>', { status: 200 }), 'invalid_response', 200],
    ['a body that breaks the contract', () => json(200, { sequence: 'four' }), 'invalid_response', 200],
    ['an error that is not a Loom error', () => new Response('bad gateway', { status: 502 }), 'http_error', 502],
  ] as const)('should turn %s into a typed error', async (_name, answer, code, status) => {
    const client = createLoomClient({ baseUrl: 'http://loom.test', token: 't', fetch: fakeFetch(answer).fetch })
    const result = await client.dispatch({ type: 'thread.archive', threadId: 't1' })
    expect(result.ok).toBe(false)
    expect(result.ok ? null : { code: result.error.code, status: result.error.status }).toEqual({ code, status })
  })

  it('should build the read paths, encoding ids', async () => {
    const net = fakeFetch((call) =>
      call.url.endsWith('/diff')
        ? new Response('--- a/x\n+++ b/x\n', { status: 200, headers: { 'content-type': 'text/x-diff', 'loom-diff-truncated': call.url.includes('/runs/') ? 'true' : 'false' } })
        : call.url.includes('/events') ? json(200, { events: [], nextAfter: 5, hasMore: false }) : call.url.includes('/providers') ? json(200, { runner: null, providers: [] }) : json(200, { threads: [] }),
    )
    const client = createLoomClient({ baseUrl: 'http://loom.test', token: 't', fetch: net.fetch })
    expect(await client.getEvents('a/b', { after: 5, limit: 10 })).toEqual({ ok: true, value: { events: [], nextAfter: 5, hasMore: false } })
    expect(await client.listThreads('ws 1', { archived: true })).toEqual({ ok: true, value: { threads: [] } })
    expect(await client.getProviders('ws-1')).toEqual({ ok: true, value: { runner: null, providers: [] } })
    expect(await client.getRunDiff('t1', 'run:t1:1')).toEqual({ ok: true, value: { diff: '--- a/x\n+++ b/x\n', truncated: true } })
    expect(await client.getCheckpointDiff('t1', 'cp-1')).toEqual({ ok: true, value: { diff: '--- a/x\n+++ b/x\n', truncated: false } })
    expect(net.calls.map((c) => c.url)).toEqual([
      'http://loom.test/v1/threads/a%2Fb/events?after=5&limit=10',
      'http://loom.test/v1/workspaces/ws%201/threads?archived=true',
      'http://loom.test/v1/workspaces/ws-1/providers',
      'http://loom.test/v1/threads/t1/runs/run%3At1%3A1/diff',
      'http://loom.test/v1/threads/t1/checkpoints/cp-1/diff',
    ])
  })

  it('should report an aborted call as aborted', async () => {
    const controller = new AbortController()
    const net = fakeFetch(() => {
      controller.abort()
      return Promise.reject(new DOMException('aborted', 'AbortError'))
    })
    const client = createLoomClient({ baseUrl: 'http://loom.test', token: 't', fetch: net.fetch })
    const result = await client.getThread('t1', { signal: controller.signal })
    expect(result).toMatchObject({ ok: false, error: { code: 'aborted', status: 0 } })
  })
})
