/**
 * @module The isolated Codex configuration of a session: `config.toml` and the child environment,
 * derived from the runner's `providerEnv`. The same code runs against OpenAI or any local
 * Responses API endpoint; only the `LOOM_CODEX_*` keys differ.
 */

/**
 * `providerEnv` keys read by the Codex adapter. Every other entry is passed to the app-server's
 * environment unchanged (e.g. `OPENAI_API_KEY`, or the variable named by `LOOM_CODEX_ENV_KEY`).
 */
export const CODEX_ENV_KEYS = {
  /** Base URL of a Responses API (Codex POSTs `{base}/responses`); default `https://api.openai.com/v1`. */
  baseUrl: 'LOOM_CODEX_BASE_URL',
  /** Name of the variable that holds the API key (sent as a Bearer token); default `OPENAI_API_KEY`. */
  envKey: 'LOOM_CODEX_ENV_KEY',
  /** Use a built-in Codex provider instead (e.g. `openai` with a ChatGPT login kept in CODEX_HOME). */
  modelProvider: 'LOOM_CODEX_MODEL_PROVIDER',
  /** Default model of new threads (a turn's model selection overrides it). */
  model: 'LOOM_CODEX_MODEL',
  /** Path of a model catalog JSON (`{"models":[…]}`), for local endpoints and custom slugs. */
  modelCatalog: 'LOOM_CODEX_MODEL_CATALOG',
  /** Request and stream retries of the provider (Codex's defaults when unset; tests use 0). */
  maxRetries: 'LOOM_CODEX_MAX_RETRIES',
} as const

const LOOM_PREFIX = 'LOOM_CODEX_'
const CUSTOM_PROVIDER_ID = 'loom'
const OPENAI_BASE_URL = 'https://api.openai.com/v1'

/** The rendered configuration of one CODEX_HOME. */
export type CodexConfig = {
  /** Contents of `$CODEX_HOME/config.toml`. */
  toml: string
  /** Variables passed to the app-server on top of the isolated PATH/HOME/TMPDIR/CODEX_HOME. */
  passEnv: Record<string, string>
  /** The provider id threads use, and the variable holding its key (null for built-in providers). */
  modelProvider: string
  apiKeyEnv: string | null
}

/** TOML basic string (JSON escapes are a subset TOML accepts). */
const str = (value: string): string => JSON.stringify(value)

/**
 * Renders `config.toml` for an isolated CODEX_HOME: plugins, apps and analytics off (they reach
 * the network on start-up), and a model provider from `providerEnv`.
 * @example renderCodexConfig({ LOOM_CODEX_BASE_URL: 'http://127.0.0.1:4000/v1', LOOM_CODEX_ENV_KEY: 'FAKE_KEY', FAKE_KEY: 'k' })
 */
export function renderCodexConfig(providerEnv: Record<string, string>): CodexConfig {
  const get = (key: string): string | undefined => {
    const value = providerEnv[key]?.trim()
    return value ? value : undefined
  }
  const builtIn = get(CODEX_ENV_KEYS.modelProvider)
  const modelProvider = builtIn ?? CUSTOM_PROVIDER_ID
  const apiKeyEnv = builtIn ? null : (get(CODEX_ENV_KEYS.envKey) ?? 'OPENAI_API_KEY')
  const model = get(CODEX_ENV_KEYS.model)
  const catalog = get(CODEX_ENV_KEYS.modelCatalog)
  const retries = get(CODEX_ENV_KEYS.maxRetries)
  if (retries !== undefined && !/^\d+$/.test(retries)) throw new Error(`${CODEX_ENV_KEYS.maxRetries} must be a whole number, got ${retries}`)
  const lines = [
    '# Written by the Loom runner for an isolated CODEX_HOME; rewritten when a session opens.',
    ...(model ? [`model = ${str(model)}`] : []),
    `model_provider = ${str(modelProvider)}`,
    'approval_policy = "on-request"',
    'sandbox_mode = "read-only"',
    ...(catalog ? [`model_catalog_json = ${str(catalog)}`] : []),
    '',
  ]
  if (!builtIn) {
    lines.push(
      `[model_providers.${CUSTOM_PROVIDER_ID}]`,
      'name = "Loom model provider"',
      `base_url = ${str(get(CODEX_ENV_KEYS.baseUrl) ?? OPENAI_BASE_URL)}`,
      'wire_api = "responses"',
      `env_key = ${str(apiKeyEnv ?? 'OPENAI_API_KEY')}`,
      ...(retries !== undefined ? [`request_max_retries = ${retries}`, `stream_max_retries = ${retries}`] : []),
      '',
    )
  }
  // The to-do tool (`update_plan` → `turn/plan/updated`) is off in 0.169 unless enabled.
  lines.push('[features]', 'plugins = false', 'apps = false', '', '[analytics]', 'enabled = false', '', '[tools.update_plan]', 'enabled = true', '')
  const passEnv = Object.fromEntries(Object.entries(providerEnv).filter(([key]) => !key.startsWith(LOOM_PREFIX)))
  return { toml: lines.join('\n'), passEnv, modelProvider, apiKeyEnv }
}
