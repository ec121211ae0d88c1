/** @module Shared plumbing of the Codex probes: isolated home, fake Responses API, client, turn runner. */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { codexApiKeyEnv, writeCodexHome } from '../../fixtures/fake-models/codex-home.ts'
import type { FakeModelServer } from '../../fixtures/fake-models/fake-server.ts'
import { startFakeOpenAI } from '../../fixtures/fake-models/openai/server.ts'
import type { TurnStartParams } from '../../runner/generated/codex/v2/index.ts'
import type { CodexNotification, ServerRequest, ServerRequestResult } from '../../runner/codex/protocol.ts'
import { CodexRpcClient } from '../../runner/codex/rpc-client.ts'
import { spawnCodexAppServer } from '../../runner/codex/spawn-app-server.ts'

/** Answers a server request; the default accepts every approval. */
export type Decide = (request: ServerRequest) => ServerRequestResult

/** What one turn produced, collected from the notifications between its start and `turn/completed`. */
export type TurnOutcome = {
  turnId: string
  status: string
  notifications: CodexNotification[]
  serverRequests: ServerRequest[]
  /** `item/completed` items, in order. */
  items: Array<Record<string, unknown>>
}

/** A running probe: one app-server process against one fake server, in one temp root. */
export type Probe = Awaited<ReturnType<typeof openProbe>>

const acceptAll: Decide = (request) => {
  switch (request.method) {
    case 'item/commandExecution/requestApproval':
    case 'item/fileChange/requestApproval':
      return { decision: 'accept' }
    case 'item/permissions/requestApproval':
      return { permissions: request.params.permissions, scope: 'turn' } as ServerRequestResult
    default:
      throw new Error(`probe has no answer for ${request.method}`)
  }
}

/** Starts a fake Responses API, writes an offline CODEX_HOME and spawns `codex app-server`. */
export async function openProbe(options: { approvalPolicy?: string; sandboxMode?: string } = {}) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'loom-codex-probe-'))
  const dirs = { root, home: path.join(root, 'home'), codexHome: path.join(root, 'codex-home'), tmp: path.join(root, 'tmp'), workspace: path.join(root, 'work') }
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true })
  const server: FakeModelServer = await startFakeOpenAI({ slow: { deltas: 20, intervalMs: 100 } })
  writeCodexHome(dirs.codexHome, { baseUrl: server.url, ...options })
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dirs.home,
    CODEX_HOME: dirs.codexHome,
    TMPDIR: dirs.tmp,
    [codexApiKeyEnv]: 'test-key',
  }
  const notifications: CodexNotification[] = []
  const serverRequests: ServerRequest[] = []
  /** Inbound frames in wire order, as `method` or `#id` for answers. */
  const inbound: string[] = []
  const waiters = new Set<() => void>()
  let decide: Decide = acceptAll
  const client = new CodexRpcClient(spawnCodexAppServer({ env, cwd: dirs.workspace }), {
    clientInfo: { name: 'loom_probe', title: 'Loom probe', version: '0.0.0' },
    onFrame: (e) => {
      if (e.dir === 'in') inbound.push(typeof e.frame.method === 'string' ? e.frame.method : `#${String(e.frame.id)}`)
    },
    onNotification: (n) => {
      notifications.push(n)
      for (const wake of [...waiters]) wake()
    },
    onServerRequest: (request) => {
      serverRequests.push(request)
      return decide(request)
    },
    onProtocolError: (e) => console.error(`  [protocol] ${e.code}: ${e.message.slice(0, 200)}`),
  })

  /** Resolves with the first notification from index `from` on that matches. */
  const waitFor = (match: (n: CodexNotification) => boolean, from = 0, timeoutMs = 20_000) =>
    new Promise<CodexNotification>((resolve, reject) => {
      const check = () => {
        const found = notifications.slice(from).find(match)
        if (!found) return false
        waiters.delete(check)
        clearTimeout(timer)
        resolve(found)
        return true
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`probe: no matching notification within ${timeoutMs} ms`))
      }, timeoutMs)
      if (!check()) waiters.add(check)
    })

  const startThread = async (): Promise<string> =>
    (await client.request('thread/start', { cwd: dirs.workspace })).thread.id

  /** Starts a turn and waits for its `turn/completed`. */
  const runTurn = async (threadId: string, text: string, extra: Partial<TurnStartParams> = {}): Promise<TurnOutcome> => {
    const from = notifications.length
    const requestsFrom = serverRequests.length
    const { turn } = await client.request('turn/start', { threadId, input: [{ type: 'text', text, text_elements: [] }], ...extra })
    return finishTurn(turn.id, from, requestsFrom)
  }

  const finishTurn = async (turnId: string, from: number, requestsFrom = serverRequests.length): Promise<TurnOutcome> => {
    const done = await waitFor((n) => n.method === 'turn/completed' && n.params.turn.id === turnId, from)
    const mine = notifications.slice(from)
    return {
      turnId,
      status: done.method === 'turn/completed' ? done.params.turn.status : 'unknown',
      notifications: mine,
      serverRequests: serverRequests.slice(requestsFrom),
      items: mine.flatMap((n) => (n.method === 'item/completed' ? [n.params.item as Record<string, unknown>] : [])),
    }
  }

  /** The real user texts of each model request sent for `threadId`, in order. */
  const userTextsPerRequest = (threadId: string): string[][] =>
    server.requests
      .modelCalls(threadId)
      .map((r) => (r.view?.history ?? []).filter((h) => h.role === 'user' && h.type === 'text' && !h.text.startsWith('<')).map((h) => h.text))

  const close = async () => {
    await client.close()
    await server.close()
    await rm(root, { recursive: true, force: true })
  }

  return {
    client,
    server,
    dirs,
    notifications,
    inbound,
    waitFor,
    startThread,
    runTurn,
    finishTurn,
    userTextsPerRequest,
    close,
    setDecide: (next: Decide) => void (decide = next),
  }
}

/** Runs one probe section with a fresh app-server, printing its findings; always cleans up. */
export async function section(title: string, options: Parameters<typeof openProbe>[0], body: (probe: Probe) => Promise<void>): Promise<void> {
  console.log(`\n=== ${title} ===`)
  const probe = await openProbe(options)
  try {
    await body(probe)
  } finally {
    await probe.close()
  }
}

/** Prints a labelled value as compact JSON. */
export function show(label: string, value: unknown): void {
  console.log(`  ${label}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
}

/** Runs `main`, exiting non-zero on failure. */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    },
  )
}
