/**
 * @module `npm run dev`: Loom on this machine with no account. Generates the dev secret once,
 * mints a runner token and a read+operate token for workspace `local`, starts the worker under
 * `wrangler dev` (state persisted in .wrangler/, no outbound calls), then a runner serving
 * `--workspace DIR` (default: the current directory), and prints how to connect.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { DEV_VARS, ensureDevSecret } from './dev-secret.ts'
import { buildUi } from './build-ui.ts'
import { WRANGLER_BIN, wranglerEnv } from './wrangler.ts'
import { startFakeModels } from './dev-fake-models.ts'
import { mintToken } from './tokens.ts'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    workspace: { type: 'string', default: process.cwd() },
    'no-runner': { type: 'boolean', default: false },
    /** Agents talk to the fake model servers instead of real accounts (a demo, no key needed). */
    'fake-models': { type: 'boolean', default: false },
    /** Where the dev secret and the worker's state live (default: the project's own files). */
    state: { type: 'string' },
  },
})
const port = Number(values.port)
const stateDir = values.state ? resolve(values.state) : null
const devVars = stateDir ? resolve(stateDir, '.dev.vars') : DEV_VARS
const persistTo = stateDir ? resolve(stateDir, 'wrangler') : '.wrangler/state'
if (stateDir) mkdirSync(stateDir, { recursive: true })
const secret = ensureDevSecret(devVars)
const userToken = await mintToken(secret, { sub: 'user:local', scopes: ['read', 'operate'], workspaces: ['local'], days: 7 })
const runnerToken = await mintToken(secret, { sub: 'runner:local', scopes: ['runner'], workspaces: ['local'], days: 30 })

buildUi()
const fakes = values['fake-models'] ? await startFakeModels(resolve(stateDir ?? '.tmp', 'fake-models')) : null
const wranglerArgs = [WRANGLER_BIN, 'dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', persistTo]
if (stateDir) wranglerArgs.push('--env-file', devVars)
const wrangler = spawn(process.execPath, wranglerArgs, {
  env: wranglerEnv(),
  stdio: ['ignore', 'pipe', 'inherit'],
})
const base = `http://127.0.0.1:${port}`
const children: ChildProcess[] = [wrangler]
let announced = false

const startRunner = () => {
  const runner = spawn(process.execPath, ['runner/cli.ts', '--server', base, '--workspace', resolve(values.workspace)], {
    env: { ...process.env, ...fakes?.env, LOOM_RUNNER_TOKEN: runnerToken },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  children.push(runner)
  runner.on('exit', (code) => {
    if (!stopping) console.error(`loom-runner exited (${code}); the worker keeps running: restart it with npm run runner`)
  })
}
wrangler.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk)
  if (!announced && chunk.toString().includes('Ready on')) {
    announced = true
    console.log(
      [
        '',
        `Loom is running at ${base} (workspace "local").`,
        `  Open:          ${base}/#token=${userToken}`,
        `  API token:     ${userToken}`,
        `  Runner token:  ${runnerToken}`,
        `  Try:           curl -H "Authorization: Bearer $TOKEN" ${base}/v1/workspaces/local/threads`,
        values['no-runner'] ? '  Runner:        not started (--no-runner)' : `  Runner:        serving ${resolve(values.workspace)}`,
        ...(fakes ? [`  Fake models:   codex model "${fakes.models.codex}", claude model "${fakes.models.claude}" (scripted replies, no account)`] : []),
        `Stop with Ctrl-C; threads are kept in ${persistTo} for the next start.`,
        '',
      ].join('\n'),
    )
    if (!values['no-runner']) startRunner()
  }
})
let stopping = false
const stop = (signal: NodeJS.Signals) => {
  stopping = true
  for (const child of children) if (child.exitCode === null && !child.killed) child.kill(signal)
}
process.on('SIGINT', () => stop('SIGINT'))
process.on('SIGTERM', () => stop('SIGTERM'))
wrangler.on('exit', (code) => {
  // Stopped by Ctrl-C or SIGTERM is a clean stop; wrangler exiting on its own is not.
  const exitCode = stopping ? 0 : (code ?? 1)
  stop('SIGTERM')
  const others = children.filter((child) => child !== wrangler && child.exitCode === null)
  void fakes?.close()
  if (others.length === 0) process.exit(exitCode)
  for (const child of others) child.on('exit', () => children.every((c) => c.exitCode !== null || c.signalCode !== null) && process.exit(exitCode))
})
