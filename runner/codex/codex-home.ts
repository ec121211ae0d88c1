/**
 * @module Lays out the private state directory of Codex sessions: CODEX_HOME (config, rollouts,
 * sqlite state), HOME and TMPDIR, and the complete environment of the app-server process.
 */
import { createHash, randomUUID } from 'node:crypto'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { renderCodexConfig, type CodexConfig } from './provider-config.ts'

/** Where one app-server process keeps its state, and how it is started. */
export type CodexHome = {
  /** `<stateDir>/codex-home`: must outlive the runner process, or threads cannot be resumed. */
  codexHome: string
  /** The app-server's complete environment (nothing else leaks in from the runner). */
  env: Record<string, string>
  /** Identifies home + configuration + environment: sessions with equal keys share one process. */
  key: string
  config: CodexConfig
}

/**
 * Creates `codex-home/`, `home/` and `tmp/` under `stateDir` and writes `config.toml`. HOME is
 * isolated too: sandboxed commands run `bash -lc`, which would otherwise load the user's profile.
 */
export async function prepareCodexHome(stateDir: string, providerEnv: Record<string, string>): Promise<CodexHome> {
  const config = renderCodexConfig(providerEnv)
  const dirs = { codexHome: path.join(stateDir, 'codex-home'), home: path.join(stateDir, 'home'), tmp: path.join(stateDir, 'tmp') }
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true })
  // Written aside and renamed into place: the shared app-server reads config.toml again when a
  // thread starts or resumes, and a truncate-and-write here (another session opening) let it
  // read an empty file and fall back to the default provider, retrying forever (found by the soak).
  const file = path.join(dirs.codexHome, 'config.toml')
  const aside = `${file}.${process.pid}.${randomUUID()}.tmp`
  await writeFile(aside, config.toml)
  await rename(aside, file)
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: dirs.home,
    TMPDIR: dirs.tmp,
    ...config.passEnv,
    CODEX_HOME: dirs.codexHome,
  }
  const fingerprint = createHash('sha256').update(config.toml).update(JSON.stringify(Object.entries(env).sort())).digest('hex')
  return { codexHome: dirs.codexHome, env, key: `${dirs.codexHome}#${fingerprint.slice(0, 16)}`, config }
}
