/**
 * @module Claude's provider status: the pinned SDK and its bundled CLI binary, whether
 * credentials are configured, and the models named by the environment. Never throws.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CLAUDE_CAPABILITIES, type ProviderStatus } from '../../src/contracts/index.ts'
import { isRecord, str } from './json.ts'

const CREDENTIALS = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN']

/** The installed SDK's directory and version, and whether its platform binary is present. */
function installed(): { version: string; binary: boolean } {
  const sdkDir = dirname(fileURLToPath(import.meta.resolve('@anthropic-ai/claude-agent-sdk')))
  const pkg: unknown = JSON.parse(readFileSync(join(sdkDir, 'package.json'), 'utf8'))
  const version = (isRecord(pkg) ? str(pkg.version) : null) ?? 'unknown'
  const binary = existsSync(join(sdkDir, '..', `claude-agent-sdk-${process.platform}-${process.arch}`, 'claude'))
  return { version, binary }
}

export function claudeStatus(providerEnv: Record<string, string>, now = Date.now()): ProviderStatus {
  const base = { provider: 'claude' as const, capabilities: CLAUDE_CAPABILITIES, checkedAt: now }
  const models = providerEnv.ANTHROPIC_MODEL ? [providerEnv.ANTHROPIC_MODEL] : []
  const hasCredentials = CREDENTIALS.some((name) => Boolean(providerEnv[name]))
  try {
    const { version, binary } = installed()
    if (!binary) return { ...base, state: 'missing', version, auth: 'unknown', models, message: `no Claude Code binary for ${process.platform}-${process.arch}` }
    return { ...base, state: 'ready', version, auth: hasCredentials ? 'unknown' : 'unauthenticated', models, message: hasCredentials ? null : `none of ${CREDENTIALS.join(', ')} is set` }
  } catch (error) {
    return { ...base, state: 'missing', version: null, auth: 'unknown', models, message: `@anthropic-ai/claude-agent-sdk: ${String(error instanceof Error ? error.message : error).slice(0, 500)}` }
  }
}
