import { tokenOf } from '../../worker/middleware/auth/index.ts'
import { env, SELF } from 'cloudflare:test'
import { sign } from 'hono/jwt'
import { describe, expect, it } from 'vitest'
import { CLIENT_SUBPROTOCOL, RUNNER_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../../src/contracts/index.ts'
import { api, connect, createThread, dispatch, projection, token, uniqueId } from './helpers.ts'
import { openLink, runnerToken } from './runner-helpers.ts'
import { writtenRows } from './storage-helpers.ts'

const hour = () => Math.floor(Date.now() / 1000) + 3600
const claims = { sub: 'user:mallory', scopes: ['read', 'operate'], workspaces: ['ws-test'] }

/** HTTP endpoints and the scope each needs. */
const endpoints = (threadId: string, workspaceId = 'ws-test') => [
  { name: 'dispatch', path: '/v1/commands', init: { method: 'POST', body: JSON.stringify({ commandId: uniqueId('cmd'), type: 'thread.metadata.update', threadId, title: 'x' }) } },
  { name: 'projection', path: `/v1/threads/${threadId}`, init: {} },
  { name: 'events', path: `/v1/threads/${threadId}/events`, init: {} },
  { name: 'thread list', path: `/v1/workspaces/${workspaceId}/threads`, init: {} },
  { name: 'providers', path: `/v1/workspaces/${workspaceId}/providers`, init: {} },
]
const ENDPOINT_NAMES = endpoints('t').map((e) => e.name)
const endpoint = (name: string, threadId: string, workspaceId?: string) => endpoints(threadId, workspaceId).find((e) => e.name === name)!

const upgrade = (path: string, protocols: string) =>
  SELF.fetch(`https://loom.test${path}`, { headers: { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': protocols } })

describe('bearer tokens', () => {
  it.each(ENDPOINT_NAMES)('should answer %s without a token with 401 unauthorized', async (name) => {
    const threadId = await createThread(await token())
    const { path, init } = endpoint(name, threadId)
    const result = await api(path, init)
    expect(result.status).toBe(401)
    expect(result.body.code).toBe('unauthorized')
  })

  it.each([
    { label: 'a bad signature', make: () => sign({ ...claims, exp: hour() }, 'another-secret-entirely-0123456789', 'HS256'), code: 'unauthorized' },
    { label: 'a bad signature on an expired token', make: () => sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 5 }, 'another-secret-entirely-0123456789', 'HS256'), code: 'unauthorized' },
    { label: 'garbage', make: async () => 'not.a.jwt', code: 'unauthorized' },
    { label: 'another algorithm', make: () => sign({ ...claims, exp: hour() }, env.LOOM_JWT_SECRET, 'HS512'), code: 'unauthorized' },
    { label: 'no scopes', make: () => sign({ sub: 'user:x', workspaces: ['ws-test'], exp: hour() }, env.LOOM_JWT_SECRET, 'HS256'), code: 'unauthorized' },
    { label: 'no expiry', make: () => sign({ ...claims }, env.LOOM_JWT_SECRET, 'HS256'), code: 'unauthorized' },
    { label: 'an unknown scope', make: () => sign({ ...claims, scopes: ['root'], exp: hour() }, env.LOOM_JWT_SECRET, 'HS256'), code: 'unauthorized' },
    { label: 'an expired token', make: () => token({ expiresIn: -5 }), code: 'token_expired' },
  ])('should refuse $label with 401 $code and change nothing', async ({ make, code }) => {
    const tok = await token()
    const threadId = await createThread(tok)
    const before = await writtenRows(threadId)
    const bad = await make()
    for (const name of ENDPOINT_NAMES) {
      const { path, init } = endpoint(name, threadId)
      const result = await api(path, { ...init, token: bad })
      expect([name, result.status, result.body.code]).toEqual([name, 401, code])
    }
    expect((await writtenRows(threadId)).events).toEqual(before.events)
  })

  it('should refuse a scheme other than Bearer with 401', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const result = await api(`/v1/threads/${threadId}`, { headers: { Authorization: `Basic ${tok}` } })
    expect(result.status).toBe(401)
  })
})

describe('scopes', () => {
  it('should let a read token read but not dispatch (403)', async () => {
    const threadId = await createThread(await token())
    const reader = await token({ scopes: ['read'] })
    const before = await writtenRows(threadId)
    const result = await dispatch(reader, { type: 'thread.metadata.update', threadId, title: 'nope' })
    expect(result.status).toBe(403)
    expect(result.body).toMatchObject({ code: 'forbidden', details: { required: 'operate', granted: ['read'] } })
    expect((await writtenRows(threadId)).events).toEqual(before.events)
    expect((await api(`/v1/threads/${threadId}`, { token: reader })).status).toBe(200)
  })

  it('should let an operate-only token dispatch but not read (403)', async () => {
    const threadId = await createThread(await token())
    const operator = await token({ scopes: ['operate'] })
    expect((await dispatch(operator, { type: 'thread.metadata.update', threadId, title: 'ok' })).status).toBe(200)
    expect((await api(`/v1/threads/${threadId}`, { token: operator })).status).toBe(403)
  })

  it.each(ENDPOINT_NAMES)('should refuse a runner token on %s with 403', async (name) => {
    const threadId = await createThread(await token())
    const { path, init } = endpoint(name, threadId)
    const result = await api(path, { ...init, token: await runnerToken(['ws-test']) })
    expect(result.status).toBe(403)
    expect(result.body.code).toBe('forbidden')
  })
})

describe('workspaces', () => {
  it('should refuse to create a thread in a workspace the token does not cover (403)', async () => {
    const tokA = await token({ workspaces: ['ws-a'] })
    const threadId = uniqueId('thread')
    const result = await dispatch(tokA, { type: 'thread.create', threadId, workspaceId: 'ws-b', modelSelection: { provider: 'codex', model: 'm' } })
    expect(result.status).toBe(403)
    expect(result.body.code).toBe('forbidden')
    const admin = await token({ scopes: ['admin'], workspaces: [] })
    expect((await api(`/v1/threads/${threadId}`, { token: admin })).status).toBe(404)
  })

  it.each(ENDPOINT_NAMES)("should refuse %s of workspace B's thread to a token for workspace A (403)", async (name) => {
    const tokB = await token({ workspaces: ['ws-b'] })
    const threadId = await createThread(tokB, undefined, { workspaceId: 'ws-b' })
    const before = await writtenRows(threadId)
    const { path, init } = endpoint(name, threadId, 'ws-b')
    const result = await api(path, { ...init, token: await token({ workspaces: ['ws-a'] }) })
    expect(result.status).toBe(403)
    expect(result.body.code).toBe('forbidden')
    expect((await writtenRows(threadId)).events).toEqual(before.events)
  })

  it('should refuse to take over a thread of workspace B by creating it again from workspace A (403)', async () => {
    const threadId = await createThread(await token({ workspaces: ['ws-b'] }), undefined, { workspaceId: 'ws-b' })
    const result = await dispatch(await token({ workspaces: ['ws-a'] }), { type: 'thread.create', threadId, workspaceId: 'ws-a', modelSelection: { provider: 'codex', model: 'm' } })
    expect(result.status).toBe(403)
  })

  it('should let an admin token with no workspaces create, dispatch, read and list anywhere', async () => {
    const admin = await token({ sub: 'user:admin', scopes: ['admin'], workspaces: [] })
    const workspaceId = uniqueId('ws')
    const threadId = await createThread(admin, undefined, { workspaceId })
    expect((await dispatch(admin, { type: 'message.dispatch', threadId, text: 'hi' })).status).toBe(200)
    for (const name of ENDPOINT_NAMES.filter((n) => n !== 'dispatch')) {
      const { path } = endpoint(name, threadId, workspaceId)
      expect([name, (await api(path, { token: admin })).status]).toEqual([name, 200])
    }
    expect((await projection(admin, threadId)).thread.createdBy).toBe('user:admin')
  })
})

describe('WebSocket auth', () => {
  it('should accept a token offered in Sec-WebSocket-Protocol and answer with the client subprotocol only', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const response = await upgrade(`/v1/ws?threadId=${threadId}`, `${CLIENT_SUBPROTOCOL}, ${TOKEN_SUBPROTOCOL_PREFIX}${tok}`)
    expect(response.status).toBe(101)
    expect(response.headers.get('Sec-WebSocket-Protocol')).toBe(CLIENT_SUBPROTOCOL)
    response.webSocket!.accept()
    response.webSocket!.close(1000, 'done')
    const socket = await connect(`/v1/ws?threadId=${threadId}`, tok)
    const answer = await socket.request(1, 'getThreadProjection', { threadId })
    expect(answer.result.thread.id).toBe(threadId)
    socket.close()
  })

  it.each([
    { label: 'no token', protocols: async () => CLIENT_SUBPROTOCOL, status: 401, code: 'unauthorized' },
    { label: 'a bad token', protocols: async () => `${CLIENT_SUBPROTOCOL}, ${TOKEN_SUBPROTOCOL_PREFIX}abc.def.ghi`, status: 401, code: 'unauthorized' },
    { label: 'an expired token', protocols: async () => `${CLIENT_SUBPROTOCOL}, ${TOKEN_SUBPROTOCOL_PREFIX}${await token({ expiresIn: -5 })}`, status: 401, code: 'token_expired' },
    { label: 'a runner token', protocols: async () => `${CLIENT_SUBPROTOCOL}, ${TOKEN_SUBPROTOCOL_PREFIX}${await runnerToken()}`, status: 403, code: 'forbidden' },
  ])('should refuse a client socket with $label ($status)', async ({ protocols, status, code }) => {
    const threadId = await createThread(await token())
    const response = await upgrade(`/v1/ws?threadId=${threadId}`, await protocols())
    expect(response.status).toBe(status)
    expect(response.webSocket).toBeNull()
    expect(((await response.json()) as { code: string }).code).toBe(code)
  })

  it.each([
    { label: 'the shell of another workspace', path: '/v1/ws?workspaceId=ws-b', role: 'client' as const, scopes: ['read'] },
    { label: 'a runner control socket with a client token', path: '/v1/runner/control?workspaceId=ws-test', role: 'runner' as const, scopes: ['read', 'operate'] },
    { label: 'a runner link with a client token', path: '/v1/runner/threads/some-thread/link', role: 'runner' as const, scopes: ['read', 'operate'] },
  ])('should refuse $label with 403', async ({ path, role, scopes }) => {
    const tok = await token({ scopes, workspaces: ['ws-a', 'ws-test'] })
    const response = await upgrade(path, `${role === 'client' ? CLIENT_SUBPROTOCOL : RUNNER_SUBPROTOCOL}, ${TOKEN_SUBPROTOCOL_PREFIX}${tok}`)
    expect(response.status).toBe(403)
  })

  it("should refuse every request on a thread socket whose token does not cover the thread's workspace", async () => {
    // Opened before the thread exists, so the upgrade has no workspace to check (an existing
    // thread's socket is refused at upgrade: security-workspace.test.ts); every request is checked.
    const threadId = uniqueId('thread')
    const socket = await connect(`/v1/ws?threadId=${threadId}`, await token({ workspaces: ['ws-a'] }))
    await createThread(await token({ workspaces: ['ws-b'] }), threadId, { workspaceId: 'ws-b' })
    const before = await writtenRows(threadId)
    const answers = [
      await socket.request(1, 'getThreadProjection', { threadId }),
      await socket.request(2, 'subscribeThread', { threadId }),
      await socket.request(3, 'dispatchCommand', { commandId: uniqueId('cmd'), type: 'thread.metadata.update', threadId, title: 'mine now' }),
    ]
    expect(answers.map((a) => a.error?.code)).toEqual(['forbidden', 'forbidden', 'forbidden'])
    expect(socket.frames.some((f) => f.subscription)).toBe(false)
    socket.close()
    expect((await writtenRows(threadId)).events).toEqual(before.events)
  })

  it("should refuse a runner link from a runner token for another workspace", async () => {
    const threadId = await createThread(await token())
    // Refused at upgrade now; a hello on a link opened before the thread existed: security-workspace.test.ts.
    await expect(openLink(await runnerToken(['ws-a']), threadId, 1, 'runner-elsewhere')).rejects.toThrow(/upgrade failed: 403/)
  })

  it('should refuse dispatch over the socket to a read-only token', async () => {
    const threadId = await createThread(await token())
    const socket = await connect(`/v1/ws?threadId=${threadId}`, await token({ scopes: ['read'] }))
    const answer = await socket.request(1, 'dispatchCommand', { commandId: uniqueId('cmd'), type: 'thread.metadata.update', threadId, title: 'x' })
    expect(answer.error.code).toBe('forbidden')
    socket.close()
  })
})

describe('bearer scheme', () => {
  const withAuth = (value: string) => new Request('https://loom.test/', { headers: { Authorization: value } })
  it('should read the bearer token whatever the case of the scheme name (RFC 7235)', () => {
    expect(tokenOf(withAuth('Bearer a.b.c'))).toBe('a.b.c')
    expect(tokenOf(withAuth('bearer a.b.c'))).toBe('a.b.c')
    expect(tokenOf(withAuth('BEARER  a.b.c '))).toBe('a.b.c')
    expect(tokenOf(withAuth('Basic a.b.c'))).toBeNull()
    expect(tokenOf(new Request('https://loom.test/', { headers: { 'Sec-WebSocket-Protocol': 'loom.v1, loom.token.x.y.z' } }))).toBe('x.y.z')
  })
})
