/**
 * @module Asking a token's TokenGuard whether it is revoked or over its rate, from the edge.
 *
 * A guard lives in one Durable Object per token, possibly far from this isolate, so asking it
 * on every request would put a round trip in front of every call. This isolate keeps each
 * token's last verdict for `LOOM_TOKEN_GUARD_REFRESH_MS` (default 1000 ms; 0 asks every time):
 * meanwhile requests are answered from that verdict and counted here, and the next ask debits
 * them from the token's bucket. So a revocation reaches other isolates within that window (the
 * isolate that served the revocation knows at once, and the token's open sockets are closed at
 * once), and a rate limit can be overrun by one window's worth of requests per isolate.
 */
import { loomError, type LoomError } from '../../src/contracts/index.ts'
import type { Env } from '../env.ts'
import { rateLimited, tokenRateOf } from '../middleware/rate-limit/index.ts'
import type { Claims } from './claims.ts'

/** The guard's name: the token's `jti`, else its subject and expiry (one mint of one subject). */
export const guardName = (claims: Pick<Claims, 'jti' | 'sub' | 'exp'>): string => (claims.jti ? `jti:${claims.jti}` : `sub:${claims.sub}:${claims.exp}`)

export const guardOf = (env: Env, name: string) => {
  const guards = env.TOKEN_GUARDS
  return guards ? guards.get(guards.idFromName(name)) : null
}

type Known = { revoked: boolean; limitedUntil: number; askedAt: number; unreported: number }

const MAX_KNOWN = 10_000
const known = new Map<string, Known>()

const refreshMsOf = (env: Env): number => {
  const ms = Number(env.LOOM_TOKEN_GUARD_REFRESH_MS)
  return env.LOOM_TOKEN_GUARD_REFRESH_MS !== undefined && Number.isFinite(ms) && ms >= 0 ? ms : 1000
}

const REVOKED = () => loomError('unauthorized', 'the token has been revoked')

/** Marks a token revoked in this isolate at once (the admin route, after the guard stored it). */
export const forgetToken = (name: string): void => {
  known.set(name, { revoked: true, limitedUntil: 0, askedAt: Date.now(), unreported: 0 })
}

/** The refusal for a revoked or too busy token, or null. Without the binding there is no guard. */
export const guardToken = async (env: Env, claims: Claims): Promise<LoomError | null> => {
  if (!env.TOKEN_GUARDS) return null
  const name = guardName(claims)
  const now = Date.now()
  const last = known.get(name)
  if (last?.revoked) return REVOKED()
  if (last && now - last.askedAt < refreshMsOf(env)) {
    if (last.limitedUntil > now) return rateLimited('token', last.limitedUntil - now)
    last.unreported += 1
    return null
  }
  const rate = tokenRateOf(env)
  // Reported once: a request arriving while this ask is out counts toward the next one.
  const served = last?.unreported ?? 0
  if (last) last.unreported = 0
  // The stub is made only when asking: hashing the name into an id was a share of every request.
  const verdict = await guardOf(env, name)!.check(rate, claims.workspaces, claims.exp, served)
  if (known.size >= MAX_KNOWN && !last) known.delete(known.keys().next().value!)
  known.set(name, { revoked: verdict.revoked, limitedUntil: verdict.retryAfterMs > 0 ? now + verdict.retryAfterMs : 0, askedAt: now, unreported: 0 })
  if (verdict.revoked) return REVOKED()
  return verdict.retryAfterMs > 0 ? rateLimited('token', verdict.retryAfterMs) : null
}
