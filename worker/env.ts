/** @module The Worker's bindings and configuration. */
import type { ThreadObject } from './thread/thread-object.ts'
import type { WorkspaceObject } from './workspace/workspace-object.ts'

export type Env = {
  THREADS: DurableObjectNamespace<ThreadObject>
  WORKSPACES: DurableObjectNamespace<WorkspaceObject>
  /** HS256 secret for bearer tokens (a Worker secret; `.dev.vars` locally). */
  LOOM_JWT_SECRET: string
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
