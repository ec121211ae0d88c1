/**
 * @module POST /v1/admin/revocations (admin scope). `{ jti, exp? }` revokes one token: its
 * TokenGuard refuses it from then on, and the sockets it opened in the workspaces it was used
 * in are closed (code 4003); `exp`, the token's expiry, bounds how long the revocation is kept.
 * `{ kid, workspaces }` closes, in those workspaces, the sockets of every token of a key that
 * configuration already retired (LOOM_REVOKED_KIDS, or gone from the keyring).
 */
import { Hono } from 'hono'
import { validator } from 'hono/validator'
import { z } from 'zod'
import { WorkspaceId, loomError } from '../../src/contracts/index.ts'
import type { AppEnv } from '../app-env.ts'
import type { Env } from '../env.ts'
import { auth } from '../middleware/auth/index.ts'
import { raise } from '../middleware/errors/index.ts'
import { forgetToken, guardOf } from '../auth/guard.ts'
import { keyringOf } from '../auth/keys.ts'
import { isRevokedKid, revocationsOf } from '../auth/revocations.ts'
import type { SocketSelector } from '../auth/revoke-sockets.ts'
import { parse } from './threads.ts'

export const Revocation = z.union([
  z.strictObject({ jti: z.string().min(1).max(256), exp: z.number().int().positive().optional() }),
  z.strictObject({ kid: z.string().min(1).max(256), workspaces: z.array(WorkspaceId).min(1).max(1000) }),
])

const closeIn = async (env: Env, workspaces: string[], selector: SocketSelector): Promise<number> => {
  const closed = await Promise.all(workspaces.map((w) => env.WORKSPACES.get(env.WORKSPACES.idFromName(w)).closeSockets(w, selector)))
  return closed.reduce((a, b) => a + b, 0)
}

export const admin = new Hono<AppEnv>().post('/revocations', auth('admin'), validator('json', parse(Revocation, 'body')), async (c) => {
  const body = c.req.valid('json')
  if ('kid' in body) {
    const { kid, workspaces } = body
    // Closing sockets of a key that still verifies would only make them reconnect.
    if (keyringOf(c.env)?.has(kid) && !isRevokedKid(revocationsOf(c.env.LOOM_REVOKED_KIDS), kid)) {
      raise(loomError('invalid_request', `key ${kid} is still valid: add it to LOOM_REVOKED_KIDS or remove it from the keyring first`, { path: ['kid'] }))
    }
    return c.json({ kid, revoked: true, workspaces, closedSockets: await closeIn(c.env, workspaces, { kid }) })
  }
  const { jti, exp } = body
  const guard = guardOf(c.env, `jti:${jti}`)
  if (!guard) raise(loomError('internal_error', 'token revocation is not configured (no TOKEN_GUARDS binding)'))
  const workspaces = await guard.revoke(exp ?? null)
  forgetToken(`jti:${jti}`)
  return c.json({ jti, revoked: true, workspaces, closedSockets: await closeIn(c.env, workspaces, { jti }) })
})
