/**
 * @module Provider status for the workspace: every adapter starts as "checking", and its real
 * `status()` runs in the background, so a slow or missing provider never delays start-up.
 */
import { type ProviderKind, type ProviderStatus } from '../src/contracts/index.ts'
import type { ProviderAdapter } from './adapter.ts'
import type { Logger } from './console-log.ts'
import type { FixtureProtocol } from './native-log.ts'

export type StatusBoard = {
  list: () => ProviderStatus[]
  /** Resolves when every check has answered (or timed out). */
  readonly settled: Promise<void>
}

export const checkingStatus = (adapter: ProviderAdapter, now = Date.now()): ProviderStatus => ({
  provider: adapter.provider,
  state: 'checking',
  version: null,
  auth: 'unknown',
  models: [],
  capabilities: adapter.capabilities,
  message: null,
  checkedAt: now,
})

const failed = (adapter: ProviderAdapter, message: string): ProviderStatus => ({
  ...checkingStatus(adapter),
  state: 'error',
  message: message.slice(0, 2000),
})

/** Starts every adapter's check; `onChange` runs after each answer. */
export const checkProviders = (
  adapters: ReadonlyMap<ProviderKind, ProviderAdapter>,
  onChange: () => void,
  log: Logger,
  timeoutMs = 60_000,
): StatusBoard => {
  const statuses = new Map<ProviderKind, ProviderStatus>()
  for (const adapter of adapters.values()) statuses.set(adapter.provider, checkingStatus(adapter))
  const checks = [...adapters.values()].map(async (adapter) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<ProviderStatus>((resolve) => {
      timer = setTimeout(() => resolve(failed(adapter, `status check timed out after ${timeoutMs} ms`)), timeoutMs)
      timer.unref()
    })
    const status = await Promise.race([
      adapter.status().catch((cause: unknown) => failed(adapter, `status check threw: ${String(cause)}`)),
      timeout,
    ])
    clearTimeout(timer)
    statuses.set(adapter.provider, status)
    log.info('provider status', { provider: status.provider, state: status.state, version: status.version, auth: status.auth, message: status.message ?? undefined })
    onChange()
  })
  return { list: () => [...statuses.values()], settled: Promise.all(checks).then(() => undefined) }
}

/** The protocol a provider's native log records (the fixture `protocol` field). */
export const fixtureProtocol = (provider: ProviderKind): FixtureProtocol => (provider === 'codex' ? 'codex.app-server' : 'claude-agent-sdk.query')
