/** @module config.toml and the child environment from providerEnv. */
import { describe, expect, it } from 'vitest'
import { renderCodexConfig } from './provider-config.ts'

describe('renderCodexConfig', () => {
  it('should point a custom provider at a local endpoint with its key variable, offline features off', () => {
    const config = renderCodexConfig({
      LOOM_CODEX_BASE_URL: 'http://127.0.0.1:4000/v1',
      LOOM_CODEX_ENV_KEY: 'FAKE_KEY',
      LOOM_CODEX_MODEL: 'fake-model',
      LOOM_CODEX_MODEL_CATALOG: '/tmp/catalog.json',
      LOOM_CODEX_MAX_RETRIES: '0',
      FAKE_KEY: 'k',
    })
    expect(config.toml).toContain('model_provider = "loom"')
    expect(config.toml).toContain('model = "fake-model"')
    expect(config.toml).toContain('model_catalog_json = "/tmp/catalog.json"')
    expect(config.toml).toContain('[model_providers.loom]\nname = "Loom model provider"\nbase_url = "http://127.0.0.1:4000/v1"\nwire_api = "responses"\nenv_key = "FAKE_KEY"\nrequest_max_retries = 0\nstream_max_retries = 0')
    expect(config.toml).toContain('[features]\nplugins = false\napps = false')
    expect(config.toml).toContain('[analytics]\nenabled = false')
    expect(config.toml).not.toContain('untrusted')
    expect(config.passEnv).toEqual({ FAKE_KEY: 'k' })
    expect(config).toMatchObject({ modelProvider: 'loom', apiKeyEnv: 'FAKE_KEY' })
  })

  it('should default to the OpenAI Responses API with OPENAI_API_KEY', () => {
    const config = renderCodexConfig({ OPENAI_API_KEY: 'sk' })
    expect(config.toml).toContain('base_url = "https://api.openai.com/v1"')
    expect(config.toml).toContain('env_key = "OPENAI_API_KEY"')
    expect(config.toml).not.toContain('request_max_retries')
    expect(config.passEnv).toEqual({ OPENAI_API_KEY: 'sk' })
  })

  it('should use a built-in provider without a custom section', () => {
    const config = renderCodexConfig({ LOOM_CODEX_MODEL_PROVIDER: 'openai' })
    expect(config.toml).toContain('model_provider = "openai"')
    expect(config.toml).not.toContain('[model_providers')
    expect(config.apiKeyEnv).toBeNull()
  })

  it('should escape values and refuse a bad retry count', () => {
    expect(renderCodexConfig({ LOOM_CODEX_BASE_URL: 'http://x/"q"' }).toml).toContain('base_url = "http://x/\\"q\\""')
    expect(() => renderCodexConfig({ LOOM_CODEX_MAX_RETRIES: 'two' })).toThrow(/whole number/)
  })
})
