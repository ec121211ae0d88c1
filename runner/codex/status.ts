/**
 * @module The Codex provider's status for the workspace: installed version, auth state and
 * models, checked with a throwaway app-server in a temporary CODEX_HOME. Never throws.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { CODEX_CAPABILITIES, type ProviderStatus } from '../../src/contracts/index.ts'
import { prepareCodexHome } from './codex-home.ts'
import { CodexConnection, type ConnectionListener } from './connection.ts'
import { nullLog } from '../native-log.ts'

const run = promisify(execFile)
const TIMEOUT_MS = 15_000

/** A listener that owns nothing: the status check starts no thread. */
const bystander: ConnectionListener = {
  log: nullLog,
  notification: () => undefined,
  serverRequest: () => Promise.reject(new Error('status check answers no requests')),
  claims: () => false,
  closed: () => undefined,
}

const withTimeout = <T>(promise: Promise<T>, what: string): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} timed out after ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref())])

/** Checks the pinned binary against the configured provider. */
export async function codexStatus(binary: string, providerEnv: Record<string, string>): Promise<ProviderStatus> {
  const base = { provider: 'codex' as const, capabilities: CODEX_CAPABILITIES, checkedAt: Date.now() }
  const root = await mkdtemp(path.join(os.tmpdir(), 'loom-codex-status-'))
  try {
    const home = await prepareCodexHome(root, providerEnv)
    let version: string
    try {
      version = (await run(binary, ['--version'], { env: home.env, timeout: TIMEOUT_MS })).stdout.trim()
    } catch (error) {
      return { ...base, state: 'missing', version: null, auth: 'unknown', models: [], message: `codex binary not runnable: ${error instanceof Error ? error.message : String(error)}` }
    }
    const connection = new CodexConnection({ env: home.env, cwd: root, binary, clientInfo: { name: 'loom_runner', title: 'Loom runner', version: '0' } })
    connection.attach(bystander)
    try {
      const account = await withTimeout(connection.request(bystander, 'account/read', {}), 'account/read')
      const models = await withTimeout(connection.request(bystander, 'model/list', {}), 'model/list')
      const keyEnv = home.config.apiKeyEnv
      const auth = account.account ? 'authenticated' : keyEnv ? (home.env[keyEnv] ? 'authenticated' : 'unauthenticated') : account.requiresOpenaiAuth ? 'unauthenticated' : 'not_required'
      return { ...base, state: 'ready', version, auth, models: models.data.map((m) => m.id).slice(0, 200), message: null }
    } finally {
      await connection.close()
    }
  } catch (error) {
    return { ...base, state: 'error', version: null, auth: 'unknown', models: [], message: error instanceof Error ? error.message.slice(0, 2000) : String(error) }
  } finally {
    await rm(root, { recursive: true, force: true, maxRetries: 3 }).catch((error: unknown) => {
      console.warn(`[codex] could not remove ${root}: ${error instanceof Error ? error.message : String(error)}`)
    })
  }
}
