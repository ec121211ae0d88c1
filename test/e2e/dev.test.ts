/**
 * `npm run dev` itself, as a newcomer runs it: wrangler dev (real workerd) and a runner on an
 * empty workspace, tokens printed, a thread created; Ctrl-C stops every process it started;
 * a second start finds the thread. State goes to a temporary `--state` folder, never the
 * project's own `.wrangler/` or `.dev.vars`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { api, dispatch, uniqueId } from './support/client.ts'
import { group } from './support/processes.ts'

const root = mkdtempSync(join(tmpdir(), 'loom-dev-'))
const workspace = mkdtempSync(join(tmpdir(), 'loom-dev-ws-'))
const started: ChildProcess[] = []

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })

type Dev = { child: ChildProcess; output: () => string; base: string; token: string }

const startDev = async (port: number, extra: string[] = []): Promise<Dev> => {
  // Its own process group, so the test can see every process it started and that none is left.
  const child = spawn(process.execPath, ['scripts/dev.ts', '--port', String(port), '--state', root, '--workspace', workspace, ...extra], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  started.push(child)
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const deadline = Date.now() + 90_000
  while (!/API token:\s+(\S+)/.test(output)) {
    if (child.exitCode !== null) throw new Error(`npm run dev exited ${child.exitCode}:\n${output}`)
    if (Date.now() > deadline) throw new Error(`npm run dev did not announce itself:\n${output}`)
    await new Promise((r) => setTimeout(r, 200))
  }
  const token = /API token:\s+(\S+)/.exec(output)![1]!
  return { child, output: () => output, base: `http://127.0.0.1:${port}`, token }
}

const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

const stopDev = async (dev: Dev) => {
  const exited = new Promise<number | null>((resolve) => dev.child.once('exit', (code) => resolve(code)))
  dev.child.kill('SIGINT')
  const code = await exited
  // wrangler, workerd and the runner were all in the dev script's group; none may outlive it.
  await waitFor('every process of npm run dev to end', async () => (group(dev.child.pid!).length === 0 ? true : undefined), 20_000)
  return code
}

afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL')
  rmSync(root, { recursive: true, force: true })
  rmSync(workspace, { recursive: true, force: true })
})

describe('npm run dev', () => {
  it('should start the worker and a runner, run a turn, stop cleanly on Ctrl-C, and find its threads again', { timeout: 240_000 }, async () => {
    const port = await freePort()
    // The demo mode: the real Codex binary against the fake model server, no account.
    const first = await startDev(port, ['--fake-models'])
    const model = /codex model "([^"]+)"/.exec(first.output())?.[1]
    expect(model).toBeTruthy()
    expect(first.output()).toContain(`Loom is running at ${first.base}`)
    expect(first.output()).toContain(`Runner:        serving ${workspace}`)

    // The runner attaches and reports its providers (found or missing, never a crash).
    const providers = await waitFor('the runner to report providers', async () => {
      const reply = await api(first.base, first.token, '/v1/workspaces/local/providers')
      return reply.status === 200 && reply.body.providers?.length === 2 && reply.body.providers.every((p: any) => p.state !== 'checking') ? reply.body.providers : undefined
    })
    expect(providers.map((p: any) => p.provider).sort()).toEqual(['claude', 'codex'])

    const threadId = uniqueId('thr')
    await dispatch(first.base, first.token, { type: 'thread.create', threadId, workspaceId: 'local', title: 'kept', modelSelection: { provider: 'codex', model: model! } })
    await dispatch(first.base, first.token, { type: 'message.dispatch', threadId, text: 'hello from a newcomer' })
    const run = await waitFor('the turn to end', async () => {
      const reply = await api(first.base, first.token, `/v1/threads/${threadId}`)
      const latest = reply.body?.runs?.[0]
      return latest && ['completed', 'failed', 'interrupted'].includes(latest.status) ? { run: latest, items: reply.body.turnItems } : undefined
    })
    expect(run.run.status).toBe('completed')
    expect(run.items.map((i: any) => i.content.text).filter(Boolean)).toContain('reply 1: hello from a newcomer')
    expect(await stopDev(first)).toBe(0)

    const second = await startDev(port, ['--no-runner'])
    const threads = await waitFor('the thread list', async () => {
      const reply = await api(second.base, second.token, '/v1/workspaces/local/threads')
      return reply.status === 200 ? reply.body.threads : undefined
    })
    expect(threads.map((t: any) => t.id)).toContain(threadId)
    expect(await stopDev(second)).toBe(0)
  })
})
