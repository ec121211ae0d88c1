/**
 * @module Bearer-token auth. HTTP clients send `Authorization: Bearer <jwt>`; browsers, which
 * cannot set headers on a WebSocket, offer `loom.token.<jwt>` in `Sec-WebSocket-Protocol`.
 */
import type { MiddlewareHandler } from 'hono'
import { TOKEN_SUBPROTOCOL_PREFIX, loomError } from '../../../src/contracts/index.ts'
import { hasScope, type Claims, type Scope } from '../../auth/claims.ts'
import { isError, verifyToken } from '../../auth/verify.ts'
import { keyringOf } from '../../auth/keys.ts'
import { revocationsOf } from '../../auth/revocations.ts'
import { guardToken } from '../../auth/guard.ts'
import type { AppEnv } from '../../app-env.ts'
import { raise } from '../errors/index.ts'

export const tokenOf = (request: Request): string | null => {
  // The scheme name is case-insensitive (RFC 7235): `bearer <jwt>` is as good as `Bearer <jwt>`.
  const bearer = /^bearer +(\S+)\s*$/i.exec(request.headers.get('Authorization') ?? '')
  if (bearer?.[1]) return bearer[1]
  const offered = (request.headers.get('Sec-WebSocket-Protocol') ?? '').split(',').map((p) => p.trim())
  const carried = offered.find((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX))
  return carried ? carried.slice(TOKEN_SUBPROTOCOL_PREFIX.length) : null
}

/** Verifies the token (key, expiry, revocation), requires `scope`, takes one from the token's rate; the claims are then `c.get('claims')`. */
export const auth = (scope: Scope): MiddlewareHandler<AppEnv> =>
  async function auth(c, next) {
    const token = tokenOf(c.req.raw)
    if (!token) raise(loomError('unauthorized', 'a bearer token is required'))
    const claims = await verifyToken(token, keyringOf(c.env), revocationsOf(c.env.LOOM_REVOKED_KIDS))
    if (isError(claims)) raise(claims)
    if (!hasScope(claims, scope)) raise(loomError('forbidden', `this needs the ${scope} scope`, { required: scope, granted: claims.scopes }))
    const guarded = await guardToken(c.env, claims)
    if (guarded) raise(guarded)
    c.set('claims', claims satisfies Claims)
    await next()
  }
