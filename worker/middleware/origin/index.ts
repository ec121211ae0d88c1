/**
 * @module Which browser origins may use the API: the Worker's own, those in LOOM_ALLOWED_ORIGINS
 * (comma-separated, e.g. `https://loom.example.com,http://localhost:5173`), and requests with no
 * Origin at all (runners, CLIs: not browsers, so not a cross-site risk). WebSocket upgrades from
 * another origin are refused (browsers do not apply CORS to them); HTTP gets CORS headers only
 * for allowed origins (hono/cors), preflight included.
 */
import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'
import { loomError } from '../../../src/contracts/index.ts'
import type { AppEnv } from '../../app-env.ts'
import { raise } from '../errors/index.ts'

const parsed = new Map<string, ReadonlySet<string>>()
const allowListOf = (list: string | undefined): ReadonlySet<string> => {
  const text = list ?? ''
  let set = parsed.get(text)
  if (!set) {
    set = new Set(text.split(',').map((o) => o.trim().replace(/\/$/, '')).filter((o) => o !== ''))
    parsed.set(text, set)
  }
  return set
}

export const isAllowedOrigin = (origin: string, requestUrl: string, allowList: string | undefined): boolean =>
  origin === new URL(requestUrl).origin || allowListOf(allowList).has(origin)

/** Refuses a WebSocket upgrade whose Origin is neither ours nor allowed. */
export const socketOrigin = (): MiddlewareHandler<AppEnv> =>
  async function socketOrigin(c, next) {
    const origin = c.req.header('Origin')
    if (origin !== undefined && c.req.header('Upgrade')?.toLowerCase() === 'websocket' && !isAllowedOrigin(origin, c.req.url, c.env.LOOM_ALLOWED_ORIGINS)) {
      raise(loomError('forbidden', 'this origin may not open Loom sockets', { origin }))
    }
    await next()
  }

const corsHandler = cors({
  origin: (origin, c) => (isAllowedOrigin(origin, c.req.url, (c.env as AppEnv['Bindings']).LOOM_ALLOWED_ORIGINS) ? origin : null),
  allowMethods: ['GET', 'POST', 'OPTIONS'],
  allowHeaders: ['Authorization', 'Content-Type'],
  // Headers a client reads besides the body: a 429's wait, and whether a diff was cut (routes/diffs.ts).
  exposeHeaders: ['Retry-After', 'Loom-Diff-Truncated'],
  maxAge: 600,
})

/**
 * CORS for the HTTP API, with the same allow-list. Upgrades skip it: a 101 from an object cannot
 * take headers, and `socketOrigin` guards them. So do requests without an Origin: browsers send
 * one on every cross-origin request, so CORS headers would tell such a caller nothing.
 */
export const apiCors = (): MiddlewareHandler<AppEnv> =>
  async function apiCors(c, next) {
    if (c.req.header('Origin') === undefined || c.req.header('Upgrade')?.toLowerCase() === 'websocket') return next()
    return corsHandler(c, next)
  }
