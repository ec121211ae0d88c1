import { describe, expect, it } from 'vitest'
import { providerEnvOf } from './provider-env.ts'
import { renderCodexConfig } from './codex/provider-config.ts'

describe('the environment providers get', () => {
  it('should drop the runner token and other Loom variables, keeping the provider settings', () => {
    const env = providerEnvOf({ LOOM_RUNNER_TOKEN: 'secret', LOOM_OTHER: 'x', LOOM_CODEX_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_API_KEY: 'k', UNSET: undefined })
    expect(env).toEqual({ LOOM_CODEX_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_API_KEY: 'k' })
  })

  it('should let LOOM_CODEX_* reach the Codex configuration (and not the app-server environment)', () => {
    const config = renderCodexConfig(providerEnvOf({ LOOM_CODEX_BASE_URL: 'http://127.0.0.1:9/v1', LOOM_CODEX_ENV_KEY: 'FAKE_KEY', FAKE_KEY: 'k', LOOM_RUNNER_TOKEN: 't' }))
    expect(config.toml).toContain('base_url = "http://127.0.0.1:9/v1"')
    expect(config.toml).toContain('env_key = "FAKE_KEY"')
    expect(config.passEnv).toEqual({ FAKE_KEY: 'k' })
  })
})
