/**
 * Lineage through the whole system: the worker in Miniflare, one real `loom-runner` serving a
 * workspace with both real providers (`codex app-server`, the Claude Agent SDK), and the fake
 * model servers, which record every request. Each test asserts what each provider actually
 * received: a native fork from the latest and from an earlier run, sibling forks kept apart,
 * merge-back carrying only the fork's delta, and a Codex -> Claude -> Codex switch.
 *
 * Rollback (of the last run, of an earlier one, inside a fork) runs in a git workspace, where
 * the runner captures the checkpoints `checkpoint.rollback` names; here only the conversation
 * side is asserted (file restore is runner/checkpoints' own suite).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, existsSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { fakeRunnerEnv, type LoggedRequest } from '../../../fixtures/fake-models/index.ts'
import { mintToken } from '../../../scripts/tokens.ts'
import { api, dispatch, uniqueId } from '../support/client.ts'
import { group } from '../support/processes.ts'
import { PROFILES, PROVIDERS, useProviderE2E, type Provider } from '../support/provider-e2e.ts'
import { REAL_CLI, RunnerProcess } from '../support/runner-process.ts'

const e2e = useProviderE2E()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A workspace directory served by one runner that has both providers configured. */
class Workspace {
  readonly dir: string
  readonly workspaceId = uniqueId('ws')
  userToken = ''
  runner: RunnerProcess | null = null

  constructor(dir: string) {
    this.dir = dir
  }

  /** With `git`, the directory is a repository with one commit, so the runner checkpoints its threads. */
  static async start(opts: { git?: boolean } = {}): Promise<Workspace> {
    const ws = new Workspace(mkdtempSync(join(tmpdir(), 'loom-lineage-')))
    if (opts.git) {
      writeFileSync(join(ws.dir, 'README.md'), 'lineage\n')
      writeFileSync(join(ws.dir, '.gitignore'), '.loom/\n')
      git(ws.dir, 'init', '--quiet', '--initial-branch=main')
      git(ws.dir, 'add', '-A')
      git(ws.dir, 'commit', '--quiet', '-m', 'start')
    }
    const secret = e2e().worker.secret
    ws.userToken = await mintToken(secret, { sub: 'user:e2e', scopes: ['read', 'operate'], workspaces: [ws.workspaceId], days: 1 })
    const runnerToken = await mintToken(secret, { sub: 'runner:e2e', scopes: ['runner'], workspaces: [ws.workspaceId], days: 1 })
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: ws.dir,
      ...fakeRunnerEnv({ anthropic: e2e().fake('claude').url, openai: e2e().fake('codex').url, catalogPath: join(ws.dir, '..', `${ws.workspaceId}-catalog.json`) }),
    }
    const args = ['--server', e2e().worker.url, '--token', runnerToken, '--workspace', ws.dir, '--heartbeat-ms', '500']
    ws.runner = new RunnerProcess(args, REAL_CLI, { env, ownGroup: true })
    await ws.runner.line((l) => l.msg === 'connected', 20_000)
    return ws
  }

  command(command: Record<string, unknown>) {
    return dispatch(e2e().worker.url, this.userToken, command)
  }

  async createThread(provider: Provider): Promise<string> {
    const threadId = uniqueId('thread')
    await this.command({ type: 'thread.create', threadId, workspaceId: this.workspaceId, title: `lineage ${provider}`, modelSelection: model(provider), runtimeMode: 'approval-required' })
    return threadId
  }

  async projection(threadId: string): Promise<any> {
    const { status, body } = await api(e2e().worker.url, this.userToken, `/v1/threads/${threadId}`)
    return status === 200 ? body : null
  }

  /** Sends a message and waits for its run to end; returns the ended run. */
  async turn(threadId: string, text: string, provider?: Provider): Promise<any> {
    const before = (await this.projection(threadId))?.runs.length ?? 0
    await this.command({ type: 'message.dispatch', threadId, text, ...(provider ? { modelSelection: model(provider) } : {}) })
    return this.until(threadId, (p) => p.runs.find((r: any) => r.ordinal === before + 1 && ['completed', 'failed', 'interrupted'].includes(r.status)))
  }

  async until<T>(threadId: string, find: (p: any) => T | undefined, timeoutMs = 45_000): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const p = await this.projection(threadId)
      const found = p ? find(p) : undefined
      if (found) return found
      if (Date.now() > deadline) throw new Error(`timed out waiting on ${threadId}: ${JSON.stringify(p?.runs?.map((r: any) => [r.ordinal, r.status, r.failure?.message]))}`)
      await sleep(100)
    }
  }

  /** Forks `source` at `sourcePoint` and waits until the fork exists. */
  async fork(source: string, sourcePoint: Record<string, unknown>): Promise<string> {
    const targetThreadId = uniqueId('fork')
    await this.command({ type: 'thread.fork', threadId: source, targetThreadId, sourcePoint })
    await this.until(targetThreadId, (p) => p.thread)
    return targetThreadId
  }

  /** The native frames one direction of a thread's provider sessions wrote. */
  frames(threadId: string, provider: Provider, type: 'expect_outbound' | 'emit_inbound' = 'expect_outbound'): any[] {
    const dir = join(this.dir, '.loom', 'runner', 'logs')
    if (!existsSync(dir)) return []
    const prefix = `${encodeURIComponent(threadId)}.${provider}`
    return readdirSync(dir)
      .filter((f) => f.startsWith(prefix) && f.endsWith('.ndjson'))
      .sort()
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.type === type)
      .map((entry) => entry.frame)
  }

  async end(): Promise<void> {
    const runner = this.runner
    if (runner) {
      runner.killGroup()
      await runner.exited
      const deadline = Date.now() + 5000
      while (group(runner.pid).length > 0 && Date.now() < deadline) await sleep(25)
    }
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 })
  }
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'User', GIT_AUTHOR_EMAIL: 'user@example.com', GIT_COMMITTER_NAME: 'User', GIT_COMMITTER_EMAIL: 'user@example.com' } })

const model = (provider: Provider) => ({ provider, model: PROFILES[provider].model })

const workspaces: Workspace[] = []
const workspace = async (opts: { git?: boolean } = {}) => {
  const ws = await Workspace.start(opts)
  workspaces.push(ws)
  return ws
}
afterEach(async () => {
  for (const ws of workspaces.splice(0)) await ws.end()
})

/** The provider thread that served run `ordinal` of a projection. */
const servedBy = (p: any, ordinal: number) => {
  const run = p.runs.find((r: any) => r.ordinal === ordinal)
  return p.providerThreads.find((t: any) => t.id === run?.providerThreadId)
}

/** Model calls the fake server of `provider` received for a native thread. */
const callsTo = (provider: Provider, nativeThreadRef: string): LoggedRequest[] => e2e().fake(provider).requests.modelCalls(nativeThreadRef)

/** The texts of the conversation a model call carried. */
const texts = (call: LoggedRequest | undefined) => (call?.view?.history ?? []).filter((h) => h.type === 'text').map((h) => h.text)
const joined = (call: LoggedRequest | undefined) => texts(call).join('\n')

describe.each(PROVIDERS)('%s: fork', (provider) => {
  it('should fork natively from the latest run: the fork has the whole history, the source is untouched', async () => {
    const ws = await workspace()
    const source = await ws.createThread(provider)
    expect(await ws.turn(source, 'alpha one')).toMatchObject({ status: 'completed' })
    expect(await ws.turn(source, 'alpha two')).toMatchObject({ status: 'completed' })
    const fork = await ws.fork(source, { type: 'latest_stable' })
    expect(await ws.turn(fork, 'in the fork')).toMatchObject({ status: 'completed', failure: null })

    const p = await ws.projection(fork)
    const sourceNative = servedBy(await ws.projection(source), 1).nativeThreadRef
    const forkThread = servedBy(p, 1)
    expect(forkThread.nativeThreadRef).not.toBe(sourceNative)
    expect(forkThread.forkedFrom).toMatchObject({ providerThreadId: servedBy(await ws.projection(source), 2).id })
    expect(p.contextTransfers).toEqual([expect.objectContaining({ type: 'fork', status: 'consumed', resolution: 'native_fork' })])
    // Native: nothing was summarized for the provider.
    expect(p.contextHandoffs).toEqual([])
    const [call] = callsTo(provider, forkThread.nativeThreadRef)
    const history = joined(call)
    expect(history).toContain('alpha one')
    expect(history).toContain('alpha two')
    expect(history).toContain('in the fork')
    expect(history).not.toContain('Context handoff')
    // The source's provider thread saw two turns and nothing of the fork.
    expect(callsTo(provider, sourceNative).map((c) => c.view?.lastUserText)).toEqual(['alpha one', 'alpha two'])
    const outbound = ws.frames(fork, provider)
    if (provider === 'codex') {
      expect(outbound.find((f) => f.method === 'thread/fork')?.params).toMatchObject({ threadId: sourceNative })
    } else {
      expect(outbound.find((f) => f.type === 'query.open')?.options).toMatchObject({ resume: sourceNative, forkSession: true, sessionId: forkThread.nativeThreadRef })
    }
  })

  it('should fork natively through an earlier run: later turns of the source are not in the fork', async () => {
    const ws = await workspace()
    const source = await ws.createThread(provider)
    const first = await ws.turn(source, 'beta one')
    await ws.turn(source, 'beta two')
    await ws.turn(source, 'beta three')
    const fork = await ws.fork(source, { type: 'run', runId: first.id })
    expect(await ws.turn(fork, 'after the first only')).toMatchObject({ status: 'completed', failure: null })
    const p = await ws.projection(fork)
    // The fork shows the inherited first run, then its own.
    expect(p.turnItems.filter((i: any) => i.content.type === 'user_message').map((i: any) => [i.visibility, i.content.text])).toEqual([
      ['inherited', 'beta one'],
      ['local', 'after the first only'],
    ])
    const [call] = callsTo(provider, servedBy(p, 1).nativeThreadRef)
    const history = joined(call)
    expect(history).toContain('beta one')
    expect(history).toContain('reply 1: beta one')
    expect(history).not.toContain('beta two')
    expect(history).not.toContain('beta three')
    expect(call?.view?.userTurns).toBe(2)
    const outbound = ws.frames(fork, provider)
    if (provider === 'codex') {
      const sp = await ws.projection(source)
      const turnOne = sp.providerTurns.find((t: any) => t.runAttemptId === sp.runs[0].activeAttemptId)
      expect(outbound.find((f) => f.method === 'thread/fork')?.params).toMatchObject({ lastTurnId: turnOne.nativeTurnRef })
    } else {
      const sp = await ws.projection(source)
      const turnOne = sp.providerTurns.find((t: any) => t.runAttemptId === sp.runs[0].activeAttemptId)
      expect(outbound.find((f) => f.type === 'query.open')?.options).toMatchObject({ forkSession: true, resumeSessionAt: turnOne.conversationHeadRef })
    }
  })

  it('should keep two sibling forks isolated from each other', async () => {
    const ws = await workspace()
    const source = await ws.createThread(provider)
    await ws.turn(source, 'shared start')
    const a = await ws.fork(source, { type: 'latest_stable' })
    const b = await ws.fork(source, { type: 'latest_stable' })
    await ws.turn(a, 'plan A only')
    await ws.turn(b, 'plan B only')
    await ws.turn(a, 'plan A again')
    const aCalls = callsTo(provider, servedBy(await ws.projection(a), 1).nativeThreadRef)
    const bCalls = callsTo(provider, servedBy(await ws.projection(b), 1).nativeThreadRef)
    expect(aCalls.map((c) => c.view?.lastUserText)).toEqual(['plan A only', 'plan A again'])
    expect(bCalls.map((c) => c.view?.lastUserText)).toEqual(['plan B only'])
    expect(joined(aCalls.at(-1))).toContain('shared start')
    expect(joined(aCalls.at(-1))).not.toContain('plan B')
    expect(joined(bCalls.at(-1))).toContain('shared start')
    expect(joined(bCalls.at(-1))).not.toContain('plan A')
  })

  it("should merge back only the fork's delta into the source's next turn", async () => {
    const ws = await workspace()
    const source = await ws.createThread(provider)
    await ws.turn(source, 'gamma base')
    const fork = await ws.fork(source, { type: 'latest_stable' })
    await ws.turn(fork, 'gamma experiment')
    await ws.command({ type: 'thread.merge_back', threadId: fork, targetThreadId: source, sourcePoint: { type: 'latest_stable' } })
    await ws.until(source, (p) => p.contextTransfers.find((t: any) => t.type === 'merge_back' && t.status === 'delivered'))
    expect(await ws.turn(source, 'gamma continue')).toMatchObject({ status: 'completed', failure: null })

    const p = await ws.projection(source)
    const handoff = p.contextHandoffs.find((h: any) => h.strategy === 'fork_delta_summary')
    expect(handoff).toMatchObject({ status: 'ready', toProviderThreadId: servedBy(p, 1).id })
    expect(handoff.summaryText).toContain('gamma experiment')
    expect(handoff.summaryText).toContain('reply 2: gamma experiment')
    // Only what happened after the fork point: the shared start is not in the delta.
    expect(handoff.summaryText).not.toContain('gamma base')
    expect(p.turnItems.find((i: any) => i.content.type === 'handoff')?.content.summary).toBe(handoff.summaryText)
    expect(p.contextTransfers.find((t: any) => t.type === 'merge_back')).toMatchObject({ status: 'consumed', resolution: 'fork_delta_context' })
    // What the source's provider received: its own history, then the delta with the new message.
    const calls = callsTo(provider, servedBy(p, 1).nativeThreadRef)
    expect(calls).toHaveLength(2)
    const last = texts(calls[1])
    expect(last.join('\n')).toContain(handoff.summaryText)
    expect(last.join('\n')).toContain('gamma continue')
    expect(last.filter((t) => t.includes('gamma base') && !t.includes('Context handoff'))).not.toHaveLength(0)
  })
})

describe('provider switch', () => {
  it('should hand Claude the full summary, then Codex only the delta in its first provider thread', async () => {
    const ws = await workspace()
    const thread = await ws.createThread('codex')
    expect(await ws.turn(thread, 'delta one')).toMatchObject({ status: 'completed', provider: 'codex' })
    expect(await ws.turn(thread, 'delta two', 'claude')).toMatchObject({ status: 'completed', provider: 'claude', failure: null })
    expect(await ws.turn(thread, 'delta three', 'codex')).toMatchObject({ status: 'completed', provider: 'codex', failure: null })

    const p = await ws.projection(thread)
    const [c1, l1, c3] = [servedBy(p, 1), servedBy(p, 2), servedBy(p, 3)]
    expect([c1.provider, l1.provider, c3.provider]).toEqual(['codex', 'claude', 'codex'])
    // Run 3 went back to the first Codex provider thread.
    expect(c3.id).toBe(c1.id)
    expect(p.contextHandoffs.map((h: any) => [h.strategy, h.targetRunId])).toEqual([
      ['full_thread_summary', p.runs[1].id],
      ['delta_since_target_last_seen', p.runs[2].id],
    ])

    const claudeCalls = callsTo('claude', l1.nativeThreadRef)
    expect(claudeCalls).toHaveLength(1)
    const claudeSaw = joined(claudeCalls[0])
    expect(claudeSaw).toContain('Context handoff (full_thread_summary, for claude)')
    expect(claudeSaw).toContain('- User: delta one')
    expect(claudeSaw).toContain('- Assistant: reply 1: delta one')
    expect(claudeSaw).toContain('delta two')

    const codexCalls = callsTo('codex', c1.nativeThreadRef)
    expect(codexCalls).toHaveLength(2)
    const codexSaw = joined(codexCalls[1])
    expect(codexSaw).toContain('Context handoff (delta_since_target_last_seen, for codex)')
    expect(codexSaw).toContain('- User: delta two')
    expect(codexSaw).toContain('delta three')
    // The delta is not a second full summary: run 1 appears once, as Codex's own history.
    expect(codexSaw).not.toContain('- User: delta one')
    expect(texts(codexCalls[1]).filter((t) => t === 'delta one')).toHaveLength(1)
    // One Codex thread was ever started for this app thread.
    expect(ws.frames(thread, 'codex').filter((f) => f.method === 'thread/start')).toHaveLength(1)
  })
})

describe.each(PROVIDERS)('%s: rollback', (provider) => {
  /** Rolls `threadId` back to the checkpoint after its run `ordinal` and waits for the later runs to be rolled back. */
  const rollback = async (ws: Workspace, threadId: string, ordinal: number) => {
    const checkpoint = await ws.until(threadId, (p) => p.checkpoints.find((c: any) => c.appRunOrdinal === ordinal && c.status === 'ready'))
    await ws.command({ type: 'checkpoint.rollback', threadId, checkpointId: checkpoint.id })
    return ws.until(threadId, (p) => (p.runs.filter((r: any) => r.ordinal > ordinal).every((r: any) => r.status === 'rolled_back') ? p : undefined))
  }

  it.each([
    ['the last run', 2, 1],
    ['an earlier run', 3, 1],
  ])('should roll back %s and continue from there: the model sees the truncated history', async (_name, runs, to) => {
    const ws = await workspace({ git: true })
    const thread = await ws.createThread(provider)
    for (let n = 1; n <= runs; n++) expect(await ws.turn(thread, `rb turn ${n}`)).toMatchObject({ status: 'completed' })
    await rollback(ws, thread, to)
    expect(await ws.turn(thread, 'rb after')).toMatchObject({ status: 'completed', failure: null })
    const p = await ws.projection(thread)
    expect(p.runs.map((r: any) => r.status)).toEqual([...Array.from({ length: runs }, (_, i) => (i < to ? 'completed' : 'rolled_back')), 'completed'])
    const native = servedBy(p, runs + 1).nativeThreadRef
    const last = callsTo(provider, native).at(-1)
    expect(last?.view?.lastUserText).toBe('rb after')
    expect(last?.view?.userTurns).toBe(to + 1)
    const history = joined(last)
    expect(history).toContain('rb turn 1')
    for (let n = to + 1; n <= runs; n++) expect(history).not.toContain(`rb turn ${n}`)
    // Nothing was summarized: the provider's own conversation was cut back.
    expect(p.contextHandoffs).toEqual([])
  })

  it('should roll back inside a fork without touching the source', async () => {
    const ws = await workspace({ git: true })
    const source = await ws.createThread(provider)
    await ws.turn(source, 'src base')
    const fork = await ws.fork(source, { type: 'latest_stable' })
    await ws.turn(fork, 'fk one')
    await ws.turn(fork, 'fk two')
    await rollback(ws, fork, 1)
    expect(await ws.turn(fork, 'fk three')).toMatchObject({ status: 'completed', failure: null })
    const p = await ws.projection(fork)
    // The fork works in its own worktree and still forked the source's conversation natively.
    expect(p.contextTransfers.find((t: any) => t.type === 'fork')).toMatchObject({ status: 'consumed', resolution: 'native_fork' })
    const cwdOf = (id: string) => ws.frames(id, provider).map((f) => f?.options?.cwd ?? f?.params?.cwd).find(Boolean)
    expect(cwdOf(fork)).toEqual(expect.any(String))
    expect(cwdOf(fork)).not.toBe(cwdOf(source))
    const last = callsTo(provider, servedBy(p, 3).nativeThreadRef).at(-1)
    const history = joined(last)
    expect(history).toContain('src base')
    expect(history).toContain('fk one')
    expect(history).not.toContain('fk two')
    expect(last?.view?.lastUserText).toBe('fk three')
    // The source goes on with its own conversation only.
    await ws.turn(source, 'src next')
    const sourceHistory = joined(callsTo(provider, servedBy(await ws.projection(source), 2).nativeThreadRef).at(-1))
    expect(sourceHistory).toContain('src base')
    expect(sourceHistory).not.toContain('fk ')
  })
})
