/**
 * @module The environment provider processes get: the runner's own, minus Loom's variables, so
 * an agent's shell never sees the runner token (LOOM_RUNNER_TOKEN). The provider settings
 * (`LOOM_CODEX_*`, runner/codex/provider-config.ts) are kept: the adapters read them, and the
 * Codex adapter leaves them out of the app-server's environment itself.
 */
const PROVIDER_SETTINGS = /^LOOM_CODEX_/

export const providerEnvOf = (env: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && (!entry[0].startsWith('LOOM_') || PROVIDER_SETTINGS.test(entry[0]))),
  )
