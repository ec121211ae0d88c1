/**
 * Secrets and tokens never appear in logs, errors or projections. One full session per provider
 * (the worker in Miniflare, a real `loom-runner` with its token in LOOM_RUNNER_TOKEN, the real
 * provider binary, the fake model server, a turn, refused requests, the runner's token revoked,
 * which ends the runner), with every output kept:
 * the worker's console and Miniflare's own log, the runner's stdout and stderr, every file the
 * session wrote under the workspace (native logs, provider homes and sessions), the requests the
 * model server received, the provider processes' environment and command line, the API's
 * answers. None may hold the signing secrets or any token used, nor a token's signature.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Log, LogLevel } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fakeRunnerEnv, startFakeAnthropic, startFakeOpenAI, type FakeModelServer } from '../../fixtures/fake-models/index.ts'
import { loomWorkerOptions, startMiniflare, ROOT, type LocalServer } from '../../scripts/local-worker.ts'
import { mintToken } from '../../scripts/tokens.ts'
import { api, dispatch, events, Subscriber, uniqueId } from './support/client.ts'
import { tree } from './support/processes.ts'
import { PROFILES, PROVIDERS, type Provider } from './support/provider-e2e.ts'
import { REAL_CLI, RunnerProcess } from './support/runner-process.ts'
import { buildWorker } from './support/worker.ts'

const SECRET = `secret-default-${crypto.randomUUID()}`
const ROTATED_SECRET = `secret-rotated-${crypto.randomUUID()}`
const workerLines: string[] = []

/** Miniflare's own log (requests, errors), kept instead of printed. */
class KeptLog extends Log {
  override log(message: string): void {
    workerLines.push(message)
  }
}

let worker: LocalServer
let root: string
const fakes = new Map<Provider, FakeModelServer>()

beforeAll(async () => {
  buildWorker()
  root = mkdtempSync(join(tmpdir(), 'loom-e2e-secrets-'))
  const options = loomWorkerOptions(join(ROOT, 'dist', 'e2e'), {
    LOOM_JWT_SECRET: SECRET,
    LOOM_JWT_KEYS: JSON.stringify({ rotated: ROTATED_SECRET }),
    LOOM_LEASE_SECONDS: '3',
    LOOM_IDLE_SECONDS: '5',
  })
  worker = await startMiniflare('e2e-secrets', {
    ...options,
    log: new KeptLog(LogLevel.DEBUG),
    logRequests: true,
    handleStructuredLogs: ({ level, message }: { level: string; message: string }) => void workerLines.push(`${level} ${message}`),
  } as never)
  fakes.set('codex', await startFakeOpenAI())
  fakes.set('claude', await startFakeAnthropic())
})

afterAll(async () => {
  for (const fake of fakes.values()) await fake.close()
  await worker?.dispose()
  rmSync(root, { recursive: true, force: true })
})

/** Every regular file under `dir`, as text. */
const filesUnder = (dir: string): Array<{ path: string; text: string }> =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((p) => statSync(p, { throwIfNoEntry: false })?.isFile())
    .map((path) => ({ path, text: readFileSync(path, 'latin1') }))

const procText = (pid: number, file: 'environ' | 'cmdline'): string => {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'latin1').replaceAll('\u0000', '\n')
  } catch {
    return ''
  }
}

/** The runner's environment: PATH, a home in the workspace, the fake endpoint, the token in LOOM_RUNNER_TOKEN. */
const runnerEnv = (provider: Provider, dir: string, fake: FakeModelServer, runnerToken: string): Record<string, string> => {
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LOOM_RUNNER_TOKEN: runnerToken }
  if (provider === 'claude') return { ...base, ...fakeRunnerEnv({ anthropic: fake.url }) }
  return { ...base, ...fakeRunnerEnv({ openai: fake.url, catalogPath: join(root, `${provider}-catalog.json`) }) }
}

describe.each(PROVIDERS)('%s: secrets in logs', (provider) => {
  it('should keep the signing secrets and every token out of all logs, files, errors and projections of a session, and end the runner whose token is revoked', async () => {
    const dir = mkdtempSync(join(root, `${provider}-`))
    const workspaceId = uniqueId('ws')
    const userToken = await mintToken(SECRET, { sub: 'user:secrets', scopes: ['read', 'operate'], workspaces: [workspaceId], days: 1 })
    const runnerJti = uniqueId('jti')
    const runnerToken = await mintToken(ROTATED_SECRET, { sub: 'runner:secrets', scopes: ['runner'], workspaces: [workspaceId], days: 1, kid: 'rotated', jti: runnerJti })
    const adminToken = await mintToken(SECRET, { sub: 'admin:secrets', scopes: ['admin'], workspaces: [], days: 1 })
    const forged = await mintToken(`not-${SECRET}`, { sub: 'user:forged', scopes: ['admin'], workspaces: [], days: 1 })
    const lateToken = await mintToken(SECRET, { sub: 'user:late', scopes: ['read'], workspaces: [workspaceId], days: -1 })
    const threadId = uniqueId('thread')
    const answers: string[] = []

    await dispatch(worker.url, userToken, { type: 'thread.create', threadId, workspaceId, title: 'secrets', modelSelection: { provider, model: PROFILES[provider].model }, runtimeMode: 'full-access' })
    const subscriber = await Subscriber.open(worker.url, userToken, threadId, { fromStart: true })
    const runner = new RunnerProcess(['--server', worker.url, '--workspace', dir, '--heartbeat-ms', '500'], REAL_CLI, { env: runnerEnv(provider, dir, fakes.get(provider)!, runnerToken), ownGroup: true })
    let providerProcesses = ''
    try {
      await runner.line((l) => l.msg === 'connected', 20_000)
      await dispatch(worker.url, userToken, { type: 'message.dispatch', threadId, text: 'hello, keep my secrets' })
      const run = await subscriber.until(() => subscriber.runs().find((r) => r.ordinal === 1 && ['completed', 'failed', 'interrupted'].includes(r.status)), 45_000)
      expect(run.status).toBe('completed')
      // The provider's processes, while the session is alive: what they were given.
      const spawned = tree(runner.pid).filter((p) => p.pid !== runner.pid)
      expect(spawned.some(PROFILES[provider].isProviderProcess)).toBe(true)
      providerProcesses = spawned.map((p) => `${procText(p.pid, 'cmdline')}\n${procText(p.pid, 'environ')}`).join('\n')
      // Refusals: a forged token, an expired one, a runner token where a user's belongs.
      for (const bad of [forged, lateToken, runnerToken]) answers.push(JSON.stringify(await api(worker.url, bad, `/v1/threads/${threadId}`)))
      answers.push(JSON.stringify(await api(worker.url, userToken, `/v1/threads/${threadId}`)))
      answers.push(JSON.stringify(await events(worker.url, userToken, threadId)))
      answers.push(JSON.stringify(await api(worker.url, userToken, `/v1/workspaces/${workspaceId}/providers`)))
      answers.push(JSON.stringify(subscriber.items))
      // Revoking the runner's token closes its sockets; its reconnect is refused and it exits.
      const revoked = await api(worker.url, adminToken, '/v1/admin/revocations', { jti: runnerJti })
      answers.push(JSON.stringify(revoked))
      expect(revoked.body).toMatchObject({ jti: runnerJti, revoked: true, workspaces: [workspaceId] })
      expect(revoked.body.closedSockets).toBeGreaterThanOrEqual(2)
      const fatal = await runner.line((l) => l.level === 'error' && /revoked/.test(l.msg), 20_000)
      expect(fatal.msg).toContain('401')
      const exit = await Promise.race([runner.exited, new Promise<null>((r) => setTimeout(() => r(null), 20_000))])
      expect(exit).not.toBeNull()
    } finally {
      subscriber.close()
      runner.killGroup()
      await runner.exited
    }

    const haystacks = [
      { where: 'worker output', text: workerLines.join('\n') },
      { where: 'runner stdout', text: runner.lines.map((l) => JSON.stringify(l)).join('\n') },
      { where: 'runner stderr', text: runner.stderr.join('') },
      { where: 'model server requests', text: JSON.stringify(fakes.get(provider)!.requests.all()) },
      { where: 'provider processes', text: providerProcesses },
      { where: 'API answers', text: answers.join('\n') },
      ...filesUnder(dir).map((f) => ({ where: f.path, text: f.text })),
    ]
    // The haystacks are the real outputs: each holds what this session put there.
    expect(workerLines.join('\n')).toContain(workspaceId)
    expect(runner.lines.some((l) => l.msg === 'connected')).toBe(true)
    expect(haystacks.some((h) => h.where.includes(join('.loom', 'runner', 'logs')) && h.text.includes('hello, keep my secrets'))).toBe(true)
    expect(providerProcesses).toContain('PATH=')

    const needles = { SECRET, ROTATED_SECRET, userToken, runnerToken, adminToken, forged, lateToken }
    const signatures = Object.fromEntries(Object.entries({ userToken, runnerToken, adminToken, forged, lateToken }).map(([name, t]) => [`${name} signature`, t.split('.')[2]!]))
    const leaks = Object.entries({ ...needles, ...signatures }).flatMap(([name, needle]) => haystacks.filter((h) => h.text.includes(needle)).map((h) => `${name} in ${h.where}`))
    expect(leaks).toEqual([])
  })
})
