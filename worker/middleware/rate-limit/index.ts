/**
 * @module Rate limits at the HTTP edge. Per token: the token's TokenGuard object, asked after
 * the token is verified (auth middleware, worker/auth/guard.ts). Per thread: the ThreadObject's own bucket
 * (worker/thread/rate-limit.ts) refuses commands with `rate_limited` and `retryAfterSeconds`;
 * `retryAfter` below copies that figure into the `Retry-After` header of the response.
 */
import type { MiddlewareHandler } from 'hono'
import { loomError, type LoomError } from '../../../src/contracts/index.ts'
import type { Env } from '../../env.ts'
import { rateOf, retryAfterSeconds, type Rate } from './bucket.ts'

export const TOKEN_RATE_DEFAULT: Rate = { perMinute: 12_000, burst: 5_000 }
export const THREAD_RATE_DEFAULT: Rate = { perMinute: 6_000, burst: 2_000 }

export const tokenRateOf = (env: Env): Rate | null => rateOf(env.LOOM_RATE_TOKEN_PER_MINUTE, env.LOOM_RATE_TOKEN_BURST, TOKEN_RATE_DEFAULT)
export const threadRateOf = (env: Env): Rate | null => rateOf(env.LOOM_RATE_THREAD_PER_MINUTE, env.LOOM_RATE_THREAD_BURST, THREAD_RATE_DEFAULT)

export const rateLimited = (scope: 'token' | 'thread', waitMs: number): LoomError => {
  const seconds = retryAfterSeconds(waitMs)
  return loomError('rate_limited', `too many requests for this ${scope}; retry after ${seconds} s`, { scope, retryAfterSeconds: seconds })
}

/** Sets `Retry-After` on a 429 whose Loom error carries `retryAfterSeconds`. */
export const retryAfter = (): MiddlewareHandler =>
  async function retryAfter(c, next) {
    await next()
    if (c.res.status !== 429 || c.res.headers.has('Retry-After')) return
    const body = (await c.res.clone().json().catch(() => null)) as { details?: { retryAfterSeconds?: unknown } } | null
    const seconds = body?.details?.retryAfterSeconds
    if (typeof seconds !== 'number') return
    const headers = new Headers(c.res.headers)
    headers.set('Retry-After', String(seconds))
    c.res = new Response(c.res.body, { status: c.res.status, headers })
  }
