/**
 * @module The `loom-runner` command line: `--server URL --token TOKEN --workspace DIR`, parsed
 * with node:util into resolved options or one clear error. No I/O here.
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'

export type LogFormat = 'text' | 'json'

export type RunnerOptions = {
  /** The worker's base URL as given (http, https, ws or wss). */
  server: URL
  token: string
  /** The repository root this runner serves, absolute. */
  workspace: string
  /** Logs and provider state; `<workspace>/.loom/runner` by default. */
  stateDir: string
  logFormat: LogFormat
  /** How often each socket pings; keep it well under the worker's LOOM_LEASE_SECONDS. */
  heartbeatMs: number
}

export type CliParse = { kind: 'run'; options: RunnerOptions } | { kind: 'help' } | { kind: 'error'; message: string }

export const USAGE = `Usage: loom-runner --server URL --token TOKEN --workspace DIR [options]

  --server URL         the Loom worker, e.g. http://127.0.0.1:8787
  --token TOKEN        a runner token for one workspace (or set LOOM_RUNNER_TOKEN)
  --workspace DIR      the repository root this runner serves
  --state-dir DIR      logs and provider state (default DIR/.loom/runner)
  --log-format FORMAT  text (default) or json
  --heartbeat-ms N     socket ping interval in ms (default 5000)
  -h, --help           show this help`

const options = {
  server: { type: 'string' },
  token: { type: 'string' },
  workspace: { type: 'string' },
  'state-dir': { type: 'string' },
  'log-format': { type: 'string' },
  'heartbeat-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

const error = (message: string): CliParse => ({ kind: 'error', message })

/** Accepts http(s) and ws(s) URLs with no query or fragment. */
const serverUrl = (raw: string): URL | string => {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return `--server must be a URL such as http://127.0.0.1:8787, got "${raw}"`
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) return `--server must use http, https, ws or wss, got "${url.protocol}"`
  if (url.search || url.hash) return '--server must not carry a query or fragment'
  return url
}

export const parseCliArgs = (argv: string[], env: Record<string, string | undefined> = {}, cwd = process.cwd()): CliParse => {
  let values: { [K in keyof typeof options]?: (typeof options)[K]['type'] extends 'boolean' ? boolean : string }
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values
  } catch (cause) {
    return error(cause instanceof Error ? cause.message : String(cause))
  }
  if (values.help) return { kind: 'help' }
  if (!values.server) return error('--server URL is required')
  const server = serverUrl(values.server)
  if (typeof server === 'string') return error(server)
  const token = values.token ?? env.LOOM_RUNNER_TOKEN
  if (!token) return error('--token TOKEN is required (or set LOOM_RUNNER_TOKEN)')
  if (!values.workspace) return error('--workspace DIR is required')
  const logFormat = values['log-format'] ?? 'text'
  if (logFormat !== 'text' && logFormat !== 'json') return error(`--log-format must be text or json, got "${logFormat}"`)
  const heartbeatMs = Number(values['heartbeat-ms'] ?? 5000)
  if (!Number.isInteger(heartbeatMs) || heartbeatMs < 100 || heartbeatMs > 600_000) return error('--heartbeat-ms must be an integer from 100 to 600000')
  const workspace = resolve(cwd, values.workspace)
  return {
    kind: 'run',
    options: {
      server,
      token,
      workspace,
      stateDir: resolve(cwd, values['state-dir'] ?? resolve(workspace, '.loom', 'runner')),
      logFormat,
      heartbeatMs,
    },
  }
}
