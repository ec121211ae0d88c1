/**
 * @module Helpers of the security tests: the Hono app called with configuration the test pool
 * does not set (extra keys, revocations, origins, rate limits), and tokens with kid and jti.
 * The app runs in workerd against the pool's real Durable Objects; only the Worker's env differs.
 */
import { env } from 'cloudflare:test'
import { sign } from 'hono/jwt'
import { CLIENT_SUBPROTOCOL, RUNNER_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../../src/contracts/index.ts'
import { mintToken, type Scope } from '../../scripts/tokens.ts'
import { app } from '../../worker/app.ts'
import type { Env } from '../../worker/env.ts'

export const ORIGIN = 'https://loom.test'

/** A request to the app with `vars` over the pool's env; the body is parsed when it is JSON. */
export const call = async (path: string, init: RequestInit & { token?: string } = {}, vars: Partial<Env> = {}) => {
  const headers = new Headers(init.headers)
  if (init.token) headers.set('Authorization', `Bearer ${init.token}`)
  if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json')
  const response = await app.request(`${ORIGIN}${path}`, { ...init, headers }, { ...env, ...vars })
  const text = response.status === 101 ? '' : await response.text()
  let body: any = null
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    body = text
  }
  return { status: response.status, headers: response.headers, body, response }
}

/** An upgrade to `path` carrying `tok` as browsers do (subprotocol), from `origin` when given. */
export const upgrade = (path: string, tok: string, opts: { role?: 'client' | 'runner'; origin?: string; vars?: Partial<Env> } = {}) => {
  const protocol = opts.role === 'runner' ? RUNNER_SUBPROTOCOL : CLIENT_SUBPROTOCOL
  const headers: Record<string, string> = { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': `${protocol}, ${TOKEN_SUBPROTOCOL_PREFIX}${tok}` }
  if (opts.origin) headers.Origin = opts.origin
  return call(path, { headers }, opts.vars)
}

/** Closes the socket of a 101, so no test leaves one open. */
export const closeUpgrade = (result: { response: Response }) => {
  const ws = result.response.webSocket
  if (!ws) return
  ws.accept()
  ws.close(1000, 'done')
}

export type Minted = { sub?: string; scopes?: Scope[]; workspaces?: string[]; kid?: string; jti?: string; secret?: string }

/** A token by scripts/tokens.ts (what operators mint with), one day long. */
export const minted = (opts: Minted = {}): Promise<string> =>
  mintToken(opts.secret ?? env.LOOM_JWT_SECRET, {
    sub: opts.sub ?? 'user:security',
    scopes: opts.scopes ?? ['read', 'operate'],
    workspaces: opts.workspaces ?? ['ws-test'],
    days: 1,
    ...(opts.kid === undefined ? {} : { kid: opts.kid }),
    ...(opts.jti === undefined ? {} : { jti: opts.jti }),
  })

/** A token that expired `secondsAgo` ago. */
export const expired = (secondsAgo: number, workspaces = ['ws-test']) =>
  sign({ sub: 'user:late', scopes: ['read', 'operate'], workspaces, exp: Math.floor(Date.now() / 1000) - secondsAgo }, env.LOOM_JWT_SECRET, 'HS256')
