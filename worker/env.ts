/** @module The Worker's bindings and configuration. */
import type { ThreadObject } from './thread/thread-object.ts'
import type { WorkspaceObject } from './workspace/workspace-object.ts'
import type { TokenGuard } from './auth/token-guard.ts'

export type Env = {
  THREADS: DurableObjectNamespace<ThreadObject>
  WORKSPACES: DurableObjectNamespace<WorkspaceObject>
  /** HS256 secret for bearer tokens (a Worker secret; `.dev.vars` locally). */
  LOOM_JWT_SECRET: string
  /** More signing keys by kid, `{"<kid>":"<secret>"}` (a secret): rotation without downtime. */
  LOOM_JWT_KEYS?: string
  /** Retired signing keys, comma-separated kids: every token they signed is refused (SECURITY.md). */
  LOOM_REVOKED_KIDS?: string
  /** Browser origins allowed besides the Worker's own, comma-separated (WebSockets and CORS). */
  LOOM_ALLOWED_ORIGINS?: string
  /** Per-token and per-thread rate limits; `0` turns one off (worker/middleware/rate-limit). */
  /** How long an isolate trusts a token's last guard verdict (ms, default 1000; 0: ask every request). */
  LOOM_TOKEN_GUARD_REFRESH_MS?: string
  LOOM_RATE_TOKEN_PER_MINUTE?: string
  LOOM_RATE_TOKEN_BURST?: string
  LOOM_RATE_THREAD_PER_MINUTE?: string
  LOOM_RATE_THREAD_BURST?: string
  /** One TokenGuard per token (revocation by jti, per-token rate); without it both are off. */
  TOKEN_GUARDS?: DurableObjectNamespace<TokenGuard>
  LOOM_LEASE_SECONDS?: string
  LOOM_IDLE_SECONDS?: string
  LOOM_REQUEST_EXPIRY_SECONDS?: string
  /** "1" makes objects count SQLite rows written (benchmarks only). */
  LOOM_METER_SQL?: string
}

export type Config = { leaseMs: number; idleMs: number; requestExpiryMs: number | null }

const seconds = (value: string | undefined, fallback: number | null): number | null => {
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  return Number.isFinite(n) && n > 0 ? n * 1000 : fallback
}

export const configOf = (env: Env): Config => ({
  leaseMs: seconds(env.LOOM_LEASE_SECONDS, 30_000) ?? 30_000,
  idleMs: seconds(env.LOOM_IDLE_SECONDS, 30 * 60_000) ?? 30 * 60_000,
  requestExpiryMs: seconds(env.LOOM_REQUEST_EXPIRY_SECONDS, null),
})
