/**
 * @module The environment provider processes get: the runner's own, minus Loom's variables, so
 * an agent's shell never sees the runner token (LOOM_RUNNER_TOKEN).
 */
export const providerEnvOf = (env: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && !entry[0].startsWith('LOOM_')))
