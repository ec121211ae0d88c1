/**
 * @module The environment of the Claude Code child process. `options.env` replaces the whole
 * environment, so everything it needs is listed here: PATH, an isolated HOME /
 * CLAUDE_CONFIG_DIR / TMPDIR / CLAUDE_CODE_TMPDIR under the session's state directory, the
 * switches that keep it off the network except for the model endpoint, and the provider
 * endpoint and credentials from `providerEnv` (ANTHROPIC_BASE_URL, ANTHROPIC_API_KEY, …).
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'

/** Quiet defaults; `providerEnv` may override any of them. */
const QUIET: Record<string, string> = {
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_TELEMETRY: '1',
  DISABLE_AUTOUPDATER: '1',
  DISABLE_ERROR_REPORTING: '1',
  DISABLE_BUG_COMMAND: '1',
}

/** Where Claude Code keeps its state for one Loom session. */
export type ClaudeDirs = { home: string; configDir: string; tmpDir: string }

export const claudeDirs = (stateDir: string): ClaudeDirs => ({
  home: join(stateDir, 'home'),
  configDir: join(stateDir, 'claude-config'),
  tmpDir: join(stateDir, 'tmp'),
})

/**
 * Builds (and creates the directories of) the child environment. The isolated directories
 * always win over `providerEnv`. `sandboxFlag` sets IS_SANDBOX, which Claude Code requires
 * for bypassPermissions when it runs as root.
 */
export function claudeProcessEnv(stateDir: string, providerEnv: Record<string, string>, sandboxFlag: boolean): Record<string, string> {
  const dirs = claudeDirs(stateDir)
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true })
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...QUIET }
  if (process.env.LANG) env.LANG = process.env.LANG
  Object.assign(env, providerEnv)
  env.HOME = dirs.home
  env.CLAUDE_CONFIG_DIR = dirs.configDir
  env.TMPDIR = dirs.tmpDir
  env.CLAUDE_CODE_TMPDIR = dirs.tmpDir
  if (sandboxFlag) env.IS_SANDBOX = '1'
  return env
}

/** True when this process runs as root (bypassPermissions then needs IS_SANDBOX). */
export const runningAsRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0

/** The model: `ANTHROPIC_MODEL` in providerEnv wins over the thread's selection (e.g. a fake model). */
export const claudeModel = (providerEnv: Record<string, string>, selected: string): string => providerEnv.ANTHROPIC_MODEL || selected
