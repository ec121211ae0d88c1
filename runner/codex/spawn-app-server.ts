/** @module Spawns `codex app-server` on stdio with a caller-given, isolated environment. */
import { tethered } from '../tether.ts'
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { codexBinaryPath } from './codex-binary.ts'

/** How to start one app-server process. */
export type SpawnCodexAppServerOptions = {
  /** The complete environment; must contain an isolated `CODEX_HOME` (Codex writes there on every run). */
  env: Record<string, string>
  /** Working directory of the process (threads name their own `cwd`). */
  cwd?: string
  /** Extra arguments after `app-server`, e.g. `['-c', 'model="x"']`. */
  args?: string[]
  /** Binary to run; the pinned npm binary by default. */
  binary?: string
}

/**
 * Starts `codex app-server` speaking JSONL on stdin/stdout. The child stays in the caller's
 * process group (no `detached`), so a runner that dies takes its Codex processes with it.
 */
export function spawnCodexAppServer(options: SpawnCodexAppServerOptions): ChildProcessWithoutNullStreams {
  if (!options.env.CODEX_HOME) throw new Error('codex: env.CODEX_HOME must name an isolated directory')
  // Tethered too: the kernel stops it if the runner dies without closing its stdin.
  const { command, args } = tethered(options.binary ?? codexBinaryPath(), ['app-server', ...(options.args ?? [])])
  return spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
}
