import { app } from '../../worker/app.ts'
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createThread, token } from './helpers.ts'
import { ORIGIN, call, closeUpgrade, upgrade } from './security-helpers.ts'

const UI = 'https://ui.loom.example'
const allowUi = { LOOM_ALLOWED_ORIGINS: `${UI}, http://localhost:5173` }

describe('browser origins on sockets', () => {
  it('should refuse an upgrade from an origin not on the list with 403 and keep the socket closed', async () => {
    const threadId = await createThread(await token())
    for (const path of [`/v1/ws?threadId=${threadId}`, '/v1/ws?workspaceId=ws-test']) {
      const result = await upgrade(path, await token(), { origin: 'https://evil.example', vars: allowUi })
      expect([path, result.status, result.body.code, result.response.webSocket]).toEqual([path, 403, 'forbidden', null])
    }
  })

  it('should open sockets for the same origin, a listed origin and clients that send no Origin', async () => {
    const threadId = await createThread(await token())
    for (const origin of [ORIGIN, UI, 'http://localhost:5173', undefined]) {
      const result = await upgrade(`/v1/ws?threadId=${threadId}`, await token(), { vars: allowUi, ...(origin ? { origin } : {}) })
      expect([origin, result.status]).toEqual([origin, 101])
      closeUpgrade(result)
    }
  })

  it('should refuse another origin when no allow-list is configured (same origin only)', async () => {
    const threadId = await createThread(await token())
    const result = await upgrade(`/v1/ws?threadId=${threadId}`, await token(), { origin: UI })
    expect(result.status).toBe(403)
  })
})

describe('CORS on the HTTP API', () => {
  it('should answer a preflight from a listed origin with the allowed methods and headers', async () => {
    const result = await call('/v1/commands', { method: 'OPTIONS', headers: { Origin: UI, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' } }, allowUi)
    expect(result.status).toBe(204)
    expect(result.headers.get('Access-Control-Allow-Origin')).toBe(UI)
    expect(result.headers.get('Access-Control-Allow-Methods')).toContain('POST')
    expect(result.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('authorization')
  })

  it('should give an unlisted origin no Access-Control-Allow-Origin, on preflight or request', async () => {
    const preflight = await call('/v1/commands', { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } }, allowUi)
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBeNull()
    const threadId = await createThread(await token())
    const read = await call(`/v1/threads/${threadId}`, { token: await token(), headers: { Origin: 'https://evil.example' } }, allowUi)
    expect(read.headers.get('Access-Control-Allow-Origin')).toBeNull()
  })

  it('should put Access-Control-Allow-Origin on responses and errors for a listed origin', async () => {
    const threadId = await createThread(await token())
    const read = await call(`/v1/threads/${threadId}`, { token: await token(), headers: { Origin: UI } }, allowUi)
    expect([read.status, read.headers.get('Access-Control-Allow-Origin')]).toEqual([200, UI])
    const refused = await call(`/v1/threads/${threadId}`, { headers: { Origin: UI } }, allowUi)
    expect([refused.status, refused.headers.get('Access-Control-Allow-Origin')]).toEqual([401, UI])
  })
})

describe('CORS exposed headers', () => {
  it('should let an allowed origin read Retry-After and the diff truncation header', async () => {
    const response = await app.request('https://loom.test/v1/health', { headers: { Origin: 'http://localhost:5173' } }, { ...env, LOOM_ALLOWED_ORIGINS: 'http://localhost:5173' })
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173')
    const exposed = (response.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/\s*,\s*/)
    expect(exposed).toEqual(expect.arrayContaining(['retry-after', 'loom-diff-truncated']))
  })
})
