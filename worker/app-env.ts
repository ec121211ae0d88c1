/** @module The Hono environment: bindings plus what middleware puts on the context. */
import type { Env } from './env.ts'
import type { Claims } from './auth/claims.ts'

export type AppEnv = { Bindings: Env; Variables: { claims: Claims } }
