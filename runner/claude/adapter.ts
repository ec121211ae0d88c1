/**
 * @module The Claude provider adapter: the pinned `@anthropic-ai/claude-agent-sdk` `query()` in
 * streaming-input mode, one query per provider session (session.ts), against Anthropic or any
 * Messages API endpoint named by `providerEnv` (ANTHROPIC_BASE_URL, ANTHROPIC_API_KEY,
 * ANTHROPIC_MODEL).
 */
import { CLAUDE_CAPABILITIES, type ProviderStatus } from '../../src/contracts/index.ts'
import type { ProviderAdapter, ProviderSession, SessionOptions } from '../adapter.ts'
import { ClaudeSession, type ClaudeSessionConfig } from './session.ts'
import { claudeStatus } from './status.ts'

export type ClaudeAdapterConfig = ClaudeSessionConfig & {
  /** The environment status() reports on (sessions get theirs in SessionOptions). */
  providerEnv?: Record<string, string>
}

export class ClaudeAdapter implements ProviderAdapter {
  readonly provider = 'claude' as const
  readonly capabilities = CLAUDE_CAPABILITIES

  private readonly config: ClaudeAdapterConfig

  constructor(config: ClaudeAdapterConfig = {}) {
    this.config = config
  }

  async status(): Promise<ProviderStatus> {
    return claudeStatus(this.config.providerEnv ?? {})
  }

  async openSession(options: SessionOptions): Promise<ProviderSession> {
    return new ClaudeSession(options, this.config)
  }
}
