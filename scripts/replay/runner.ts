/**
 * @module The real `Runner`, in this process, whose only adapter is the real Codex or Claude
 * adapter on a replay transport (runner/codex/replay-transport.ts, runner/claude/replay-query.ts).
 * `status()` answers "ready" without looking for a binary; everything else is the adapter's own.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ProviderKind, ProviderStatus } from '../../src/contracts/index.ts'
import type { ProviderAdapter } from '../../runner/adapter.ts'
import type { AdapterRegistry, RunnerAdapter } from '../../runner/adapters/registry.ts'
import { createLogger } from '../../runner/console-log.ts'
import { Runner } from '../../runner/runner.ts'

/** The adapter with a fixed, binary-free status. */
export const replayAdapter = (adapter: RunnerAdapter, version: string): RunnerAdapter => {
  const status = async (): Promise<ProviderStatus> => ({
    provider: adapter.provider,
    state: 'ready',
    version,
    auth: 'authenticated',
    models: [],
    capabilities: adapter.capabilities,
    message: null,
    checkedAt: 0,
  })
  const wrapped: ProviderAdapter & { shutdown?: () => Promise<void> } = {
    provider: adapter.provider,
    capabilities: adapter.capabilities,
    status,
    openSession: (options) => adapter.openSession(options),
  }
  if (adapter.shutdown) wrapped.shutdown = () => adapter.shutdown!()
  return wrapped
}

export type InProcessRunner = { runner: Runner; workspace: string; logs: string[]; stop: () => Promise<void> }

/** A git repository with one empty commit, so the runner captures checkpoints (and can roll back). */
export const initGitWorkspace = (dir: string): void => {
  const env = { ...process.env, GIT_AUTHOR_NAME: 'replay', GIT_AUTHOR_EMAIL: 'replay@loom.invalid', GIT_COMMITTER_NAME: 'replay', GIT_COMMITTER_EMAIL: 'replay@loom.invalid' }
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir, env })
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'replay workspace'], { cwd: dir, env })
}

/**
 * `git`: the workspace is a git repository (checkpoints available); otherwise a plain folder.
 * One adapter (`provider`, `adapter`) or several (`adapters`); `providerEnv`: the environment
 * provider sessions get (default none: a replay transport needs none).
 */
export const startRunner = (opts: { server: string; token: string; git?: boolean; providerEnv?: Record<string, string> } & ({ provider: ProviderKind; adapter: RunnerAdapter } | { adapters: AdapterRegistry })): InProcessRunner => {
  const workspace = mkdtempSync(join(tmpdir(), 'loom-replay-ws-'))
  if (opts.git) initGitWorkspace(workspace)
  const logs: string[] = []
  const adapters: AdapterRegistry = 'adapters' in opts ? opts.adapters : new Map([[opts.provider, opts.adapter]])
  const runner = new Runner({
    options: { server: new URL(opts.server), token: opts.token, workspace, stateDir: join(workspace, '.loom', 'runner'), logFormat: 'text', heartbeatMs: 1000 },
    adapters,
    log: createLogger('text', (line) => logs.push(line)),
    providerEnv: opts.providerEnv ?? {},
  })
  runner.start()
  return {
    runner,
    workspace,
    logs,
    stop: async () => {
      await runner.shutdown('replay_end')
      await runner.finished
      rmSync(workspace, { recursive: true, force: true })
    },
  }
}
