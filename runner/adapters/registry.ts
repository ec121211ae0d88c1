/**
 * @module The adapters this runner offers, by provider: Codex (runner/codex/) and Claude
 * (runner/claude/). A provider with no adapter here gets its turn starts failed with
 * `provider_unavailable`, never silently dropped.
 */
import type { ProviderKind } from '../../src/contracts/index.ts'
import type { ProviderAdapter } from '../adapter.ts'
import { createCodexAdapter } from '../codex/adapter.ts'
import { ClaudeAdapter } from '../claude/adapter.ts'

/** An adapter, with an optional hook to end the processes it shares between sessions. */
export type RunnerAdapter = ProviderAdapter & { shutdown?: () => Promise<void> }

export type AdapterRegistry = ReadonlyMap<ProviderKind, RunnerAdapter>

export const defaultAdapters = (providerEnv: Record<string, string>): Map<ProviderKind, RunnerAdapter> =>
  new Map<ProviderKind, RunnerAdapter>([
    ['codex', createCodexAdapter({ providerEnv })],
    ['claude', new ClaudeAdapter({ providerEnv })],
  ])
