import type { TokenGuard } from '../../worker/auth/token-guard.ts'
import { env, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { api, connect, createThread, dispatch, token, uniqueId } from './helpers.ts'
import { ScriptedRunner } from './runner-helpers.ts'
import { call, closeUpgrade, expired, minted, upgrade } from './security-helpers.ts'

const adminToken = () => minted({ scopes: ['admin'], workspaces: [], sub: 'admin:security' })
const revoke = async (jti: string) => api('/v1/admin/revocations', { method: 'POST', token: await adminToken(), body: JSON.stringify({ jti }) })

const NEXT_SECRET = 'the-next-key-of-the-rotation-0123456789abcdef'
const rotating = { LOOM_JWT_KEYS: JSON.stringify({ next: NEXT_SECRET }) }

describe('token expiry', () => {
  it('should refuse an expired token with 401 token_expired on HTTP and at socket upgrade', async () => {
    const threadId = await createThread(await token())
    const late = await expired(1)
    const read = await call(`/v1/threads/${threadId}`, { token: late })
    expect([read.status, read.body.code]).toEqual([401, 'token_expired'])
    const socket = await upgrade(`/v1/ws?threadId=${threadId}`, late)
    expect([socket.status, socket.body.code]).toEqual([401, 'token_expired'])
    const runner = await upgrade('/v1/runner/control?workspaceId=ws-test', await expired(1), { role: 'runner' })
    expect([runner.status, runner.body.code]).toEqual([401, 'token_expired'])
  })
})

describe('key rotation by kid', () => {
  it('should accept tokens of the old and the new key side by side', async () => {
    const threadId = await createThread(await token())
    const old = await minted()
    const fresh = await minted({ kid: 'next', secret: NEXT_SECRET })
    expect((await call(`/v1/threads/${threadId}`, { token: old }, rotating)).status).toBe(200)
    expect((await call(`/v1/threads/${threadId}`, { token: fresh }, rotating)).status).toBe(200)
    const socket = await upgrade(`/v1/ws?threadId=${threadId}`, fresh, { vars: rotating })
    expect(socket.status).toBe(101)
    closeUpgrade(socket)
  })

  it('should refuse a kid the server does not know, and a token signed with another kid\'s secret', async () => {
    const threadId = await createThread(await token())
    const unknownKid = await minted({ kid: 'retired', secret: NEXT_SECRET })
    const wrongSecret = await minted({ kid: 'next' })
    for (const tok of [unknownKid, wrongSecret]) {
      const result = await call(`/v1/threads/${threadId}`, { token: tok }, rotating)
      expect([result.status, result.body.code]).toEqual([401, 'unauthorized'])
    }
    // Without LOOM_JWT_KEYS the new key is unknown too.
    expect((await call(`/v1/threads/${threadId}`, { token: await minted({ kid: 'next', secret: NEXT_SECRET }) })).status).toBe(401)
  })

  it('should answer 500 internal_error, not accept anything, when LOOM_JWT_KEYS is malformed', async () => {
    const result = await call('/v1/threads/t-any', { token: await minted() }, { LOOM_JWT_KEYS: '{"short":"abc"}' })
    expect([result.status, result.body.code]).toEqual([500, 'internal_error'])
  })
})

describe('revocation by jti', () => {
  it('should refuse a revoked token on HTTP and at upgrade from the moment the admin route answers, and keep other tokens working', async () => {
    const threadId = await createThread(await token())
    const jti = uniqueId('jti')
    const gone = await minted({ jti })
    const kept = await minted()
    expect((await api(`/v1/threads/${threadId}`, { token: gone })).status).toBe(200)
    const revoked = await revoke(jti)
    expect(revoked).toMatchObject({ status: 200, body: { jti, revoked: true, workspaces: ['ws-test'] } })
    const read = await api(`/v1/threads/${threadId}`, { token: gone })
    expect([read.status, read.body.code, read.body.message]).toEqual([401, 'unauthorized', 'the token has been revoked'])
    const dispatched = await dispatch(gone, { type: 'thread.metadata.update', threadId, title: 'x' })
    expect(dispatched.status).toBe(401)
    expect((await upgrade(`/v1/ws?threadId=${threadId}`, gone)).status).toBe(401)
    expect((await api(`/v1/threads/${threadId}`, { token: kept })).status).toBe(200)
  })

  it('should close the open runner sockets (control and link) of a revoked runner token with 4003, and refuse its reconnect', async () => {
    const workspaceId = uniqueId('ws')
    const user = await token({ workspaces: [workspaceId] })
    const jti = uniqueId('jti')
    const runnerTok = await minted({ jti, scopes: ['runner'], workspaces: [workspaceId], sub: 'runner:revoked' })
    const runner = await ScriptedRunner.start({ workspaceId, token: runnerTok })
    const threadId = await createThread(user, undefined, { workspaceId })
    const link = await runner.link(threadId)
    const subscriber = await connect(`/v1/ws?threadId=${threadId}`, user)
    try {
      const revoked = await revoke(jti)
      expect(revoked.body.closedSockets).toBe(2)
      await runner.control.until(() => runner.control.closed)
      await link.socket.until(() => link.socket.closed)
      expect([runner.control.closed?.code, link.socket.closed?.code]).toEqual([4003, 4003])
      const again = await upgrade(`/v1/runner/control?workspaceId=${workspaceId}`, runnerTok, { role: 'runner' })
      expect([again.status, again.body.message]).toEqual([401, 'the token has been revoked'])
      // The user's subscription, another token, stays open.
      expect((await subscriber.request(1, 'getThreadProjection', { threadId })).result.thread.id).toBe(threadId)
    } finally {
      subscriber.close()
      runner.close()
    }
  })

  it('should let only admin tokens revoke, and refuse a bad body with 400 and no change', async () => {
    const jti = uniqueId('jti')
    const tok = await minted({ jti })
    const notAdmin = await api('/v1/admin/revocations', { method: 'POST', token: await token({ scopes: ['read', 'operate', 'runner'] }), body: JSON.stringify({ jti }) })
    expect([notAdmin.status, notAdmin.body.code]).toEqual([403, 'forbidden'])
    for (const body of [{}, { jti: '' }, { jti, extra: 1 }, { jti: 7 }]) {
      const bad = await api('/v1/admin/revocations', { method: 'POST', token: await adminToken(), body: JSON.stringify(body) })
      expect([JSON.stringify(body), bad.status, bad.body.code]).toEqual([JSON.stringify(body), 400, 'invalid_request'])
    }
    expect((await api('/v1/threads/t-none', { token: tok })).status).toBe(404)
  })
})

describe('retiring a key', () => {
  it('should close, in the named workspaces, the open sockets of a retired key\'s tokens, and refuse to while the key is valid', async () => {
    const workspaceId = uniqueId('ws')
    const user = await token({ workspaces: [workspaceId] })
    const runner = await ScriptedRunner.start({ workspaceId })
    const threadId = await createThread(user, undefined, { workspaceId })
    const link = await runner.link(threadId)
    const subscriber = await connect(`/v1/ws?threadId=${threadId}`, user)
    const admin = await minted({ kid: 'next', secret: NEXT_SECRET, scopes: ['admin'], workspaces: [] })
    const body = JSON.stringify({ kid: 'default', workspaces: [workspaceId] })
    try {
      const early = await call('/v1/admin/revocations', { method: 'POST', token: admin, body }, rotating)
      expect([early.status, early.body.code]).toEqual([400, 'invalid_request'])
      expect([runner.control.closed, link.socket.closed, subscriber.closed]).toEqual([null, null, null])
      const swept = await call('/v1/admin/revocations', { method: 'POST', token: admin, body }, { ...rotating, LOOM_REVOKED_KIDS: 'default' })
      expect(swept.body).toMatchObject({ kid: 'default', revoked: true, closedSockets: 3 })
      for (const socket of [runner.control, link.socket, subscriber]) await socket.until(() => socket.closed)
      expect([runner.control.closed?.code, link.socket.closed?.code, subscriber.closed?.code]).toEqual([4003, 4003, 4003])
    } finally {
      subscriber.close()
      runner.close()
    }
  })


  it('should refuse every token of a kid in LOOM_REVOKED_KIDS and keep the new key\'s tokens working', async () => {
    const threadId = await createThread(await token())
    const vars = { ...rotating, LOOM_REVOKED_KIDS: 'default' }
    const old = await minted()
    const fresh = await minted({ kid: 'next', secret: NEXT_SECRET })
    const refused = await call(`/v1/threads/${threadId}`, { token: old }, vars)
    expect([refused.status, refused.body.message]).toEqual([401, 'the token has been revoked'])
    expect((await upgrade(`/v1/ws?threadId=${threadId}`, old, { vars })).status).toBe(401)
    expect((await call(`/v1/threads/${threadId}`, { token: fresh }, vars)).status).toBe(200)
  })
})

describe('revocation lifetime', () => {
  it('should keep a revocation until the token expires, even when the admin names an earlier exp', async () => {
    const guards = (env as { TOKEN_GUARDS: DurableObjectNamespace<TokenGuard> }).TOKEN_GUARDS
    const stub = guards.get(guards.idFromName(`jti:early-exp-${Date.now()}`))
    const now = Math.floor(Date.now() / 1000)
    const realExp = now + 30 * 86_400
    await stub.check(null, ['ws-a'], realExp, 0)
    await stub.revoke(now + 60)
    const alarm = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())
    expect(alarm).toBe(realExp * 1000 + 86_400_000)
  })
})
