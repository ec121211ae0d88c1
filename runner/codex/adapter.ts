/**
 * @module The Codex provider adapter: `ProviderAdapter` over the pinned `codex app-server`.
 *
 * Process model: one app-server per CODEX_HOME configuration, shared by every session that uses
 * it (the runner gives its Codex sessions one persistent state directory, so that is one process
 * per runner). The app-server is a multi-thread server; sharing it saves the ~150 ms start and
 * the memory of a process per thread, and `initialize` runs once however many threads ask at
 * the same moment. A process that dies fails the running turns of every session on it
 * (`transport_error`); their next turn starts a new process and resumes the thread.
 */
import { AdapterError, type ProviderAdapter, type ProviderSession, type SessionOptions } from '../adapter.ts'
import { CODEX_CAPABILITIES, providerFailure, type ProviderStatus } from '../../src/contracts/index.ts'
import type { ClientInfo } from '../generated/codex/index.ts'
import { codexBinaryPath } from './codex-binary.ts'
import { prepareCodexHome, type CodexHome } from './codex-home.ts'
import { CodexConnection } from './connection.ts'
import { CodexProcessPool } from './process-pool.ts'
import type { CodexProcess } from './rpc-client.ts'
import { CodexSession } from './session.ts'
import { codexStatus } from './status.ts'

/** Options of {@link createCodexAdapter}. */
export type CodexAdapterOptions = {
  /** The `codex` binary; the pinned npm one by default. */
  binary?: string
  /** Sent in `initialize`; Codex derives the `originator` header and user agent from `name`. */
  clientInfo?: ClientInfo
  /** The provider configuration `status()` checks (sessions bring their own `providerEnv`). */
  providerEnv?: Record<string, string>
  /** How long an interrupted turn may take to report its end (default 5 s). */
  interruptGraceMs?: number
  /**
   * Stands in for spawning `codex app-server`: returns the process (stdio + exit) a connection
   * talks to, e.g. a replay transport (replay-transport.ts). Default: spawn the binary.
   */
  spawnProcess?: (home: CodexHome) => CodexProcess
}

/** The Codex adapter, plus `shutdown` to end every app-server process it started. */
export type CodexAdapter = ProviderAdapter & { shutdown(): Promise<void>; readonly processes: number }

const DEFAULT_CLIENT: ClientInfo = { name: 'loom_runner', title: 'Loom runner', version: '0.1.0' }

export function createCodexAdapter(options: CodexAdapterOptions = {}): CodexAdapter {
  const binary = options.binary ?? codexBinaryPath()
  const homes = new Map<string, CodexHome>()
  const pool = new CodexProcessPool((key) => {
    const home = homes.get(key)
    if (!home) throw new Error(`codex: no prepared CODEX_HOME for ${key}`)
    const { spawnProcess } = options
    return new CodexConnection({
      env: home.env,
      cwd: home.codexHome,
      binary,
      clientInfo: options.clientInfo ?? DEFAULT_CLIENT,
      ...(spawnProcess ? { spawn: () => spawnProcess(home) } : {}),
    })
  })
  return {
    provider: 'codex',
    capabilities: CODEX_CAPABILITIES,
    status: (): Promise<ProviderStatus> => codexStatus(binary, options.providerEnv ?? {}),
    async openSession(session: SessionOptions): Promise<ProviderSession> {
      let home: CodexHome
      try {
        home = await prepareCodexHome(session.stateDir, session.providerEnv)
      } catch (error) {
        throw new AdapterError(providerFailure('validation_error', `codex: cannot prepare ${session.stateDir}: ${error instanceof Error ? error.message : String(error)}`, 'codex.state_dir', false))
      }
      homes.set(home.key, home)
      return CodexSession.open({ pool, home, options: session, interruptGraceMs: options.interruptGraceMs ?? 5_000 })
    },
    shutdown: () => pool.closeAll(),
    get processes() {
      return pool.size
    },
  }
}
