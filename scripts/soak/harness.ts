/**
 * @module One soak run: the worker (Miniflare, persisted state), one real `loom-runner` per
 * workspace (Codex and Claude Code against the fake model servers), the clients and
 * subscribers of load.ts and the faults of faults.ts for a bounded time; then the settle
 * (every run terminal within the lease), the record, the checker and the report.
 */
import { randomBytes } from 'node:crypto'
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { StoredEvent, ThreadProjection, ThreadShell } from '../../src/contracts/index.ts'
import { startFakeAnthropic, startFakeOpenAI, type FakeModelServer } from '../../fixtures/fake-models/index.ts'
import { mintToken } from '../tokens.ts'
import { check, shellMismatch, tally, type Violation } from './checker.ts'
import type { CommandLog } from './commands.ts'
import type { SoakConfig } from './config.ts'
import { FAULT_KINDS, faultOrder, inject, type FaultKind, type FaultTargets } from './faults.ts'
import { read } from './http.ts'
import { answerRequests, churnSubscribers, churnTitles, count, createThreads, driveTurns, planThreads, startWatchers, type LoadContext } from './load.ts'
import { seededRandom } from './random.ts'
import type { RunnerKill, SoakRecord, ThreadFinal } from './record.ts'
import { Relay } from './relay.ts'
import { RunnerSlot } from './runners.ts'
import { renderReport } from './table.ts'
import { WorkerHost } from './worker-host.ts'

export type SoakResult = { violations: Violation[]; report: string; faults: Map<FaultKind, number> }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const TERMINAL = new Set(['completed', 'interrupted', 'failed', 'cancelled', 'rolled_back'])
/** After the lease, the time a run may still need to end: a streamed reply or a hang in progress. */
const SETTLE_SLACK_MS = 20_000

const pool = async <T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> => {
  const out: R[] = new Array(items.length)
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await work(items[i]!)
    }
  }))
  return out
}

export const runSoak = async (config: SoakConfig, log: (line: string) => void): Promise<SoakResult> => {
  const started = Date.now()
  const random = seededRandom(config.seed)
  const secret = randomBytes(32).toString('hex')
  const root = mkdtempSync(join(tmpdir(), 'loom-soak-'))
  const cleanup: Array<() => Promise<unknown> | unknown> = []
  // The worker's and the runners' logs stay in /tmp only when something went wrong.
  const logs: string[] = []
  let keepLogs = true
  try {
    const workerLogFile = join(tmpdir(), `loom-soak-${config.seed}-worker.log`)
    logs.push(workerLogFile)
    const workerLog = createWriteStream(workerLogFile)
    cleanup.push(() => new Promise((r) => workerLog.end(r)))
    log(`soak ${config.name}: seed ${config.seed}; bundling the worker (its log: ${workerLogFile})`)
    const host = await WorkerHost.start({ secret, leaseSeconds: config.leaseSeconds, idleSeconds: config.idleSeconds, log: (line) => void workerLog.write(`${line}\n`) })
    cleanup.push(() => host.dispose())
    const openai = await startFakeOpenAI()
    const anthropic = await startFakeAnthropic()
    cleanup.push(() => openai.close(), () => anthropic.close())
    const fakes = { openai, anthropic }

    const runnerLogs = join(tmpdir(), `loom-soak-${config.seed}-runners`)
    mkdirSync(runnerLogs, { recursive: true })
    logs.push(runnerLogs)
    const workspaces = Array.from({ length: config.workspaces }, (_, i) => `soak-${config.seed}-ws${i}`)
    const runners: RunnerSlot[] = []
    for (const workspaceId of workspaces) {
      const relay = await Relay.start(host.port)
      cleanup.push(() => relay.close())
      const token = await mintToken(secret, { sub: `runner:${workspaceId}`, scopes: ['runner'], workspaces: [workspaceId], days: 1 })
      const slot = new RunnerSlot({ workspaceId, dir: join(root, workspaceId), token, relay, fakes, logDir: runnerLogs })
      runners.push(slot)
      cleanup.push(() => slot.stop())
    }
    await Promise.all(runners.map((r) => r.start()))
    const subscriberRelay = await Relay.start(host.port)
    cleanup.push(() => subscriberRelay.close())
    const tokens = await Promise.all(Array.from({ length: config.clients }, (_, i) => mintToken(secret, { sub: `user:soak-${i}`, scopes: ['read', 'operate'], workspaces, days: 1 })))
    const commands: CommandLog = { records: [], duplicatesSent: 0, inflight: new Set() }
    const ctx: LoadContext = { config, base: host.url, subscriberBase: subscriberRelay.url, tokens, random, commands, threads: planThreads(config, workspaces, random), subscribers: [], counts: new Map() }
    cleanup.push(() => ctx.subscribers.forEach((s) => s.leave()))
    log(`worker on ${host.url}, ${runners.length} runners, ${ctx.threads.filter((t) => t.provider === 'claude').length} of ${ctx.threads.length} threads on Claude, the rest on Codex`)
    await createThreads(ctx)
    await startWatchers(ctx)

    // Load and faults, for loadMs.
    const until = Date.now() + config.loadMs
    const kills: RunnerKill[] = []
    const targets: FaultTargets = { host, runners, subscriberRelay, fakes: [openai, anthropic], random, kills, pending: [], errors: [] }
    const faults = new Map<FaultKind, number>(FAULT_KINDS.map((k) => [k, 0]))
    const modelFaults = (fake: FakeModelServer) => {
      for (const r of fake.requests.all()) {
        if (r.reply === 'fail:500') faults.set('model endpoint 500', faults.get('model endpoint 500')! + 1)
        if (r.reply === 'hang') faults.set('model endpoint hangs', faults.get('model endpoint hangs')! + 1)
        if (r.view) count(ctx, `model call (${r.provider})`)
      }
      fake.requests.clear()
    }
    const injecting = (async () => {
      const next = faultOrder(random, (kind) => faults.get(kind) ?? 0)
      let retry: FaultKind | null = null
      while (Date.now() < until) {
        await sleep(random.between(...config.faultGapMs))
        if (Date.now() >= until) break
        const kind: FaultKind = retry ?? next()
        retry = null
        const hit = await inject(kind, targets)
        if (!hit) retry = kind
        else if (kind !== 'model endpoint 500' && kind !== 'model endpoint hangs') faults.set(kind, faults.get(kind)! + 1)
        modelFaults(openai)
        modelFaults(anthropic)
      }
      await Promise.all(targets.pending)
    })()
    const load = Promise.all([driveTurns(ctx, until), churnTitles(ctx, until), churnSubscribers(ctx, until)])
    await injecting
    const stoppedAt = Date.now()
    log(`injection stopped after ${Math.round((stoppedAt - started) / 1000)} s; settling`)

    // Settle: every run terminal within the lease (plus the slack a reply in flight needs).
    const boundMs = config.leaseSeconds * 1000 + SETTLE_SLACK_MS
    let settledMs: number | null = null
    const answered = new Set<string>()
    while (Date.now() - stoppedAt < boundMs) {
      const projections = await pool(ctx.threads, 8, (t) => read(host.url, tokens[0]!, `/v1/threads/${t.threadId}`) as Promise<ThreadProjection>)
      for (const p of projections) await answerRequests(ctx, p, answered)
      if (projections.every((p) => p.runs.every((r) => TERMINAL.has(r.status)))) {
        settledMs = Date.now() - stoppedAt
        break
      }
      await sleep(1000)
    }
    await load
    while (commands.inflight.size > 0) await Promise.allSettled([...commands.inflight])
    modelFaults(openai)
    modelFaults(anthropic)

    // Quiet: the idle release (a close effect, then the session's end) comes idleSeconds after a
    // thread's last run; the record is taken once no thread log has moved for 2 s after that.
    await sleep(config.idleSeconds * 1000)
    let sequences = ''
    for (const quietDeadline = Date.now() + 30_000; Date.now() < quietDeadline; ) {
      const now = (await pool(ctx.threads, 8, (t) => read(host.url, tokens[0]!, `/v1/threads/${t.threadId}`))).map((p) => String(p.sequence)).join(',')
      if (now === sequences) break
      sequences = now
      await sleep(2000)
    }

    // The record: final logs, projections and shells; subscribers still connected catch up first.
    const threads = await pool(ctx.threads, 8, async (t): Promise<ThreadFinal> => {
      const events: StoredEvent[] = []
      for (let after = 0; ; ) {
        const page = await read(host.url, tokens[0]!, `/v1/threads/${t.threadId}/events?after=${after}&limit=1000`)
        events.push(...page.events)
        if (!page.hasMore) break
        after = page.nextAfter
      }
      const projection = (await read(host.url, tokens[0]!, `/v1/threads/${t.threadId}`)) as ThreadProjection
      return { threadId: t.threadId, workspaceId: t.workspaceId, events, projection, shell: null }
    })
    const finalSequence = new Map(threads.map((t) => [t.threadId, t.events.length]))
    await Promise.all(ctx.subscribers.filter((s) => s.connected).map((s) => s.reach(finalSequence.get(s.record.threadId) ?? 0, 10_000)))
    for (const s of ctx.subscribers) s.markLiveAtEnd()
    const shellDeadline = Date.now() + 15_000
    for (;;) {
      const shells = new Map<string, ThreadShell>()
      for (const w of workspaces) for (const s of (await read(host.url, tokens[0]!, `/v1/workspaces/${w}/threads?archived=false`)).threads as ThreadShell[]) shells.set(s.id, s)
      for (const t of threads) t.shell = shells.get(t.threadId) ?? null
      if (threads.every((t) => shellMismatch(t) === null) || Date.now() > shellDeadline) break
      await sleep(500)
    }
    const record: SoakRecord = {
      commands: commands.records,
      subscribers: ctx.subscribers.map((s) => s.record),
      threads,
      runnerKills: kills,
      settle: { boundMs, settledMs },
      liveRunners: runners.filter((r) => r.running).map((r) => r.workspaceId),
    }
    const violations = check(record)
    const recordFile = join(tmpdir(), `loom-soak-${config.seed}-record.json`)
    if (violations.length > 0) writeFileSync(recordFile, JSON.stringify(record))
    else keepLogs = false
    const totalEvents = threads.reduce((n, t) => n + t.events.length, 0)
    const storage = [...host.storage().entries()]
      .filter(([dir]) => dir.includes('Object') && !dir.includes('Cache'))
      .map(([dir, { files, bytes, walBytes }]) => `${dir.replace(/^do\/-?/, '')}: ${files} databases, ${(bytes / files / 1024).toFixed(0)} KiB each + ${(walBytes / files / 1024).toFixed(0)} KiB WAL`)
    const eventBytes = threads.flatMap((t) => t.events.map((e) => JSON.stringify(e).length))
    const largestThread = Math.max(...threads.map((t) => t.events.length))

    const attempts = commands.records.reduce((n, c) => n + c.attempts.length, 0)
    // Provider errors the runs reported, by class (the last state of each error item).
    const errorItems = new Map<string, string>()
    for (const t of threads) for (const e of t.events) if (e.event.type === 'turn-item.updated' && e.event.payload.content.type === 'error') errorItems.set(e.event.payload.id, e.event.payload.content.failure.class)
    const errorClasses = [...new Set(errorItems.values())].sort().map((c): [string, number] => [`provider error items: ${c}`, [...errorItems.values()].filter((x) => x === c).length])
    const operations: Array<[string, number]> = [
      ['threads', threads.length],
      ['events in all logs', threads.reduce((n, t) => n + t.events.length, 0)],
      ['runs', threads.reduce((n, t) => n + t.projection.runs.length, 0)],
      ...['completed', 'failed', 'interrupted', 'cancelled'].map((status): [string, number] => [`runs ${status}`, threads.reduce((n, t) => n + t.projection.runs.filter((r) => r.status === status).length, 0)]),
      ['runtime requests', threads.reduce((n, t) => n + t.projection.runtimeRequests.length, 0)],
      ['commands (distinct ids)', commands.records.length],
      ['command attempts (HTTP)', attempts],
      ['duplicate sends on purpose', commands.duplicatesSent],
      ['subscriber sockets (sessions)', ctx.subscribers.reduce((n, s) => n + s.record.sessions.length, 0)],
      ['subscriber resumes after a drop', ctx.subscribers.reduce((n, s) => n + s.reconnects, 0)],
      ['events delivered to subscribers', ctx.subscribers.reduce((n, s) => n + s.delivered, 0)],
      ['runner processes started', runners.reduce((n, r) => n + r.starts, 0)],
      ['worker restarts', host.restarts],
      ...errorClasses,
      ...[...ctx.counts.entries()].sort(([a], [b]) => a.localeCompare(b)),
    ]
    const report = renderReport({
      title: `Loom soak (${config.name}), seed ${config.seed}`,
      notes: [
        `${config.workspaces} workspaces, each with a real loom-runner; ${threads.length} threads, ${config.streaming} with a turn under way at once; agents: the real codex app-server and Claude Code against the fake model servers on 127.0.0.1`,
        `load and faults for ${Math.round(config.loadMs / 1000)} s; every run terminal ${settledMs === null ? `NOT within ${boundMs} ms` : `${settledMs} ms`} after injection stopped (bound: lease ${config.leaseSeconds} s + ${SETTLE_SLACK_MS / 1000} s); whole run ${Math.round((Date.now() - started) / 1000)} s`,
        ...targets.errors.map((e) => `runner restart failed: ${e.slice(0, 500)}`),
        `persisted state: ${storage.join('; ')}; ${totalEvents} events in all thread logs (largest thread ${largestThread}), a stored event ${Math.round(eventBytes.reduce((a, b) => a + b, 0) / Math.max(1, eventBytes.length))} bytes of JSON on average, ${Math.max(0, ...eventBytes)} at most`,
        ...(violations.length > 0 ? [`worker log ${workerLogFile}, runner logs in ${runnerLogs}, the whole record in ${recordFile}`] : []),
        `runner kills: ${kills.length}, provider processes they had: ${kills.reduce((n, k) => n + k.providers, 0)}, survivors: ${kills.reduce((n, k) => n + k.survivors.length, 0)}`,
      ],
      operations,
      faults: [...faults.entries()],
      tally: tally(violations),
      violations,
    })
    return { violations, report, faults }
  } finally {
    for (const step of cleanup.reverse()) {
      try {
        await step()
      } catch {
        // keep tearing down
      }
    }
    rmSync(root, { recursive: true, force: true, maxRetries: 3 })
    if (!keepLogs) for (const path of logs) rmSync(path, { recursive: true, force: true })
  }
}
