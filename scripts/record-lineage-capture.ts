/**
 * @module The REAL provider adapters of a whole-system lineage recording, each capturing every
 * native frame of all its sessions into one ordered list (scripts/replay/lineage-capture.ts),
 * with a fixed status (no binary probed), and the environment pointing them at the fake servers.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ProviderKind } from '../src/contracts/index.ts'
import { MODEL } from '../src/domain/testing/steps.ts'
import { codexApiKeyEnv, fakeModelInfo, type FakeModelServer } from '../fixtures/fake-models/index.ts'
import type { RunnerAdapter } from '../runner/adapters/registry.ts'
import { ClaudeAdapter } from '../runner/claude/adapter.ts'
import { createCodexAdapter } from '../runner/codex/adapter.ts'
import { spawnCodexAppServer } from '../runner/codex/spawn-app-server.ts'
import { tapProcess, teeSessions, type CapturedFrames } from './replay/lineage-capture.ts'
import { replayAdapter } from './replay/runner.ts'

/** The real adapters of `providers`, capturing into `frames` (one list per provider). */
export const capturingAdapters = (providers: readonly ProviderKind[], frames: CapturedFrames, version: (p: ProviderKind) => string): Map<ProviderKind, RunnerAdapter> => {
  const registry = new Map<ProviderKind, RunnerAdapter>()
  for (const provider of providers) {
    const entries = frames.get(provider) ?? []
    frames.set(provider, entries)
    if (provider === 'codex') {
      const codex = createCodexAdapter({ interruptGraceMs: 1_000, spawnProcess: (home) => tapProcess(spawnCodexAppServer({ env: home.env, cwd: home.codexHome }), entries) })
      registry.set('codex', replayAdapter(codex, version('codex')))
    } else {
      registry.set('claude', replayAdapter(teeSessions(new ClaudeAdapter({ interruptGraceMs: 1_000 }), entries), version('claude')))
    }
  }
  return registry
}

/** The environment that points provider sessions at the fake model servers; Codex's model catalog names the thread's model. */
export const fakeProviderEnv = (fakes: Partial<Record<ProviderKind, FakeModelServer>>, home: string): Record<string, string> => {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home }
  if (fakes.claude) Object.assign(env, { ANTHROPIC_BASE_URL: fakes.claude.url, ANTHROPIC_API_KEY: 'test-key', CLAUDE_CODE_MAX_RETRIES: '0' })
  if (fakes.codex) {
    const catalog = join(home, 'catalog.json')
    writeFileSync(catalog, JSON.stringify({ models: [{ ...fakeModelInfo(), slug: MODEL.codex.model, display_name: MODEL.codex.model }] }))
    Object.assign(env, { LOOM_CODEX_MODEL_CATALOG: catalog, LOOM_CODEX_BASE_URL: fakes.codex.url, LOOM_CODEX_ENV_KEY: codexApiKeyEnv, LOOM_CODEX_MAX_RETRIES: '0', [codexApiKeyEnv]: 'test-key' })
  }
  return env
}
