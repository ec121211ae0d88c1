/**
 * @module The soak's load: threads created over HTTP, turns kept under way on `streaming`
 * threads at once (slow streamed replies, tool calls that ask for approval, plain replies),
 * approvals answered and runs interrupted by the clients, titles changed concurrently, and
 * subscribers joining and leaving. Commands go through `send` (retries, duplicates).
 */
import type { ThreadProjection } from '../../src/contracts/index.ts'
import { fakeAnthropicModel, fakeOpenAIModel } from '../../fixtures/fake-models/index.ts'
import { commandId, send, type CommandLog, type Sender } from './commands.ts'
import type { SoakConfig } from './config.ts'
import { request } from './http.ts'
import type { Random } from './random.ts'
import { SoakSubscriber } from './subscribers.ts'

export type ThreadPlan = { threadId: string; workspaceId: string; provider: 'codex' | 'claude'; turns: number; busy: boolean }

export type LoadContext = {
  config: SoakConfig
  base: string
  /** Subscribers connect through the relay, whose sockets can be cut. */
  subscriberBase: string
  /** One read+operate token per client. */
  tokens: string[]
  random: Random
  commands: CommandLog
  threads: ThreadPlan[]
  subscribers: SoakSubscriber[]
  counts: Map<string, number>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const TERMINAL = new Set(['completed', 'interrupted', 'failed', 'cancelled', 'rolled_back'])

export const count = (ctx: LoadContext, op: string, n = 1): void => void ctx.counts.set(op, (ctx.counts.get(op) ?? 0) + n)

const sender = (ctx: LoadContext): Sender => ({ base: ctx.base, token: ctx.random.pick(ctx.tokens), random: ctx.random, log: ctx.commands, duplicateChance: ctx.config.duplicateChance })

/** Runs `work` on every item with at most `limit` at once. */
const pool = async <T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> => {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!)
  }))
}

export const planThreads = (config: SoakConfig, workspaces: string[], random: Random): ThreadPlan[] =>
  Array.from({ length: config.threads }, (_, i) => ({
    threadId: `soak-${config.seed}-t${i}`,
    workspaceId: workspaces[i % workspaces.length]!,
    provider: random.chance(config.claudeShare) ? 'claude' : 'codex',
    turns: 0,
    busy: false,
  }))

export const createThreads = (ctx: LoadContext): Promise<void> =>
  pool(ctx.threads, 8, async (t) => {
    const model = t.provider === 'claude' ? fakeAnthropicModel : fakeOpenAIModel
    const last = await send(sender(ctx), {
      type: 'thread.create',
      commandId: commandId('create'),
      threadId: t.threadId,
      workspaceId: t.workspaceId,
      title: `soak ${t.threadId}`,
      modelSelection: { provider: t.provider, model },
      runtimeMode: 'approval-required',
    })
    if (last.status !== 200) throw new Error(`thread.create ${t.threadId}: ${last.status} ${last.code}`)
    count(ctx, 'thread.create')
  })

/** A user message: mostly a streamed reply of a few seconds, sometimes a tool call that needs approval. */
const messageText = (t: ThreadPlan, random: Random): string => {
  const roll = random.next()
  if (roll < 0.65) return `stream please [[slow:${random.between(15, 40)}:${random.between(60, 120)}]]`
  if (roll < 0.85) return t.provider === 'claude' ? 'run it [[bash:echo soak]]' : 'run it [[escalate:echo soak]]'
  return 'a short answer'
}

const projection = async (ctx: LoadContext, threadId: string): Promise<ThreadProjection | null> => {
  const answer = await request(`${ctx.base}/v1/threads/${threadId}`, ctx.tokens[0]!)
  return answer.status === 200 ? (answer.body as ThreadProjection) : null
}

/**
 * Answers the pending requests of a projection (accept, now and then decline), once each. An
 * answer refused as not resumable is given again on a later poll if the request is still
 * pending then, as a user would. (An answer while the asking runner's socket is cut is taken and
 * held for it; a refusal means that process is gone, and its request ends with the run.)
 */
export const answerRequests = async (ctx: LoadContext, p: ThreadProjection, answered: Set<string>): Promise<void> => {
  for (const r of p.runtimeRequests) {
    if (r.status !== 'pending' || answered.has(r.id)) continue
    answered.add(r.id)
    const decision = r.availableDecisions.includes('accept') && ctx.random.chance(0.8) ? 'accept' : (r.availableDecisions[0] ?? 'cancel')
    const command = r.questions ? { answers: Object.fromEntries(r.questions.map((q) => [q.id, [q.options[0]?.label ?? 'yes']])) } : { decision }
    void send(sender(ctx), { type: 'runtime-request.respond', commandId: commandId('respond'), threadId: p.thread.id, requestId: r.id, ...command }).then((result) => {
      count(ctx, 'runtime-request.respond')
      if (result.code === 'request_not_resumable') answered.delete(r.id)
    })
  }
}

/** One turn: the message, then polling until every run of the thread is terminal. */
const turn = async (ctx: LoadContext, t: ThreadPlan, timeoutMs: number): Promise<void> => {
  const dispatched = await send(sender(ctx), { type: 'message.dispatch', commandId: commandId('msg'), threadId: t.threadId, text: messageText(t, ctx.random) })
  count(ctx, 'message.dispatch')
  if (dispatched.status !== 200) return
  t.turns++
  let interruptAfter = ctx.random.chance(0.1) ? Date.now() + ctx.random.between(500, 3000) : null
  const answered = new Set<string>()
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    await sleep(400)
    const p = await projection(ctx, t.threadId)
    if (!p) continue
    count(ctx, 'projection read')
    await answerRequests(ctx, p, answered)
    const active = p.runs.filter((r) => !TERMINAL.has(r.status))
    if (p.runs.length > 0 && active.length === 0) return
    const running = active.find((r) => r.status === 'running')
    if (interruptAfter !== null && Date.now() > interruptAfter && running) {
      await send(sender(ctx), { type: 'run.interrupt', commandId: commandId('stop'), threadId: t.threadId, runId: running.id })
      count(ctx, 'run.interrupt')
      interruptAfter = null
    }
  }
}

/** Keeps `streaming` threads busy with turns until `until` or `maxTurns` turns. */
export const driveTurns = async (ctx: LoadContext, until: number): Promise<void> => {
  let started = 0
  const worker = async () => {
    while (Date.now() < until && started < ctx.config.maxTurns) {
      const idle = ctx.threads.filter((t) => !t.busy)
      if (idle.length === 0) return
      const fewest = Math.min(...idle.map((t) => t.turns))
      const t = ctx.random.pick(idle.filter((x) => x.turns === fewest))
      t.busy = true
      started++
      try {
        await turn(ctx, t, 60_000)
      } finally {
        t.busy = false
      }
    }
  }
  await Promise.all(Array.from({ length: ctx.config.streaming }, worker))
}

/** Title changes from every client, on random threads, concurrently with the turns. */
export const churnTitles = async (ctx: LoadContext, until: number): Promise<void> => {
  let n = 0
  while (Date.now() < until) {
    const t = ctx.random.pick(ctx.threads)
    void send(sender(ctx), { type: 'thread.metadata.update', commandId: commandId('title'), threadId: t.threadId, title: `soak ${t.threadId} #${n++}` }).then(() => count(ctx, 'thread.metadata.update'))
    await sleep(ctx.random.between(100, 400))
  }
}

/** Watchers: subscribed from the first event of a thread until the end, resuming after every drop. */
export const startWatchers = async (ctx: LoadContext): Promise<void> => {
  const threads = ctx.threads.slice(0, ctx.config.watchers)
  await Promise.all(
    threads.map(async (t, i) => {
      const s = new SoakSubscriber(`watcher-${i}`, ctx.subscriberBase, ctx.random.pick(ctx.tokens), t.threadId)
      ctx.subscribers.push(s)
      await s.join(true).then(
        () => count(ctx, 'watcher joined'),
        () => count(ctx, 'watcher join failed (resumed)'),
      )
    }),
  )
}

/** Subscribers joining (from a snapshot or from the start) and leaving; those still connected at `until` stay. */
export const churnSubscribers = async (ctx: LoadContext, until: number): Promise<void> => {
  const { subscriberJoins, subscribersAtOnce, loadMs } = ctx.config
  // Joins spread over the first 80 % of the load, so all of them happen.
  const gap = (loadMs * 0.8) / subscriberJoins
  let joined = 0
  const connected = new Set<SoakSubscriber>()
  while (Date.now() < until && joined < subscriberJoins) {
    if (connected.size < subscribersAtOnce) {
      const busy = ctx.threads.filter((t) => t.busy)
      const t = busy.length > 0 && ctx.random.chance(0.7) ? ctx.random.pick(busy) : ctx.random.pick(ctx.threads)
      const s = new SoakSubscriber(`sub-${joined}`, ctx.subscriberBase, ctx.random.pick(ctx.tokens), t.threadId)
      joined++
      ctx.subscribers.push(s)
      connected.add(s)
      const stay = ctx.random.between(1_000, 20_000)
      void s
        .join(ctx.random.chance(0.3))
        .then(() => count(ctx, 'subscriber joined'))
        .catch(() => count(ctx, 'subscriber join failed (resumed)'))
      void sleep(stay).then(() => {
        if (Date.now() >= until) return
        s.leave()
        connected.delete(s)
        count(ctx, 'subscriber left')
      })
    }
    await sleep(ctx.random.between(Math.floor(gap / 2), Math.ceil(gap * 1.5)))
  }
}
