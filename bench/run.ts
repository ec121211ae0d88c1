/**
 * @module `npm run bench`: Loom (the wrangler bundle in dist/) and a bare baseline Durable Object
 * (bench/baseline.ts), each in its own in-process Miniflare on 127.0.0.1, fed identical input,
 * alternated every repetition; medians are reported with server CPU and Loom/baseline ratios,
 * printed and written to BENCHMARKS.md. `BENCH_REPS` sets the repetitions (default 5).
 * Then a warm text turn through the whole system beside the provider alone (bench/turns.ts).
 * `--only turns` (or `--only=ingest,fanout`, or BENCH_ONLY=…) runs only those scenarios;
 * a run of the warm turns alone rewrites only their section of BENCHMARKS.md, and a run of
 * only some of the classic scenarios prints its table without writing BENCHMARKS.md.
 */
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { Socket } from './client.ts'
import { batchFrames, connectRunner, createThread, loomTokens, runnerProtocols, startRun, wsUrl, type Link } from './loom.ts'
import { catchUp, dispatchLatency, fanOut, ingest, metadataBodies, subscribers, type Figures, type Target } from './scenarios.ts'
import { startBaseline, startLoom } from './server.ts'
import { streamReply, type Counts, type StreamSide } from './stream.ts'
import { summarize, type Collected, type Side } from './summary.ts'
import { environment, TURNS_END, TURNS_START, writeTurnsSection } from './report.ts'
import { runTurns, turnsSection, turnsTables, type TurnResult } from './turns.ts'
import {
  C1_REQUESTS,
  C20_REQUESTS,
  CATCHUP_EVENTS,
  CATCHUP_TIMES,
  FANOUT_CONCURRENCY,
  FANOUT_EVENTS,
  INGEST_EVENTS,
  BATCH,
  CLASSIC,
  ONLY,
  REPS,
  STREAM_PACES,
  SUBSCRIBERS,
  WINDOW,
  WORKSPACE,
} from './config.ts'

const root = resolve(import.meta.dirname, '..')
const log = (...args: unknown[]) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args)


const unknown = [...ONLY].filter((name) => name !== 'turns' && !CLASSIC.includes(name))
if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; choose from ${[...CLASSIC, 'turns'].join(', ')}`)
const classic = CLASSIC.some((name) => ONLY.has(name))

const secret = randomBytes(24).toString('hex')
const loom = await startLoom(secret)
const baseline = classic ? await startBaseline() : null
log(`loom ${loom.url} (workerd pid ${loom.pid})${baseline ? `, baseline ${baseline.url} (workerd pid ${baseline.pid})` : ''}`)

const results: Collected = {}
const record = (name: string, side: Side, figures: Figures) => {
  results[name] ??= { loom: [], baseline: [] }
  results[name][side].push(figures)
}
let turns: TurnResult[] = []

try {
  if (baseline) {
    const tokens = await loomTokens(secret, WORKSPACE)
    const runner = await connectRunner(loom, tokens, WORKSPACE)
    const target = (side: Side, threadId: string): Target =>
      side === 'loom' ? { server: loom, isLoom: true, threadId, token: tokens.operate } : { server: baseline, isLoom: false, threadId, token: tokens.operate }
    const baselineLink = (threadId: string) => Socket.open(wsUrl(baseline, `/link?t=${threadId}`), runnerProtocols(tokens.runner))
    const linkFor = async (side: Side): Promise<Link> => {
      const link = await startRun(loom, tokens, runner, WORKSPACE)
      if (side === 'loom') return link
      link.socket.close()
      return { ...link, socket: await baselineLink(link.threadId), nextSeq: 1 }
    }

    /** One round of every scenario; `rep` < 0 is the unrecorded warm-up. */
    const round = async (rep: number, scale: number) => {
      const order: Side[] = rep % 2 === 0 ? ['loom', 'baseline'] : ['baseline', 'loom']
      const keep = (name: string, side: Side, figures: Figures) => {
        if (rep >= 0) record(name, side, figures)
      }
      for (const [name, count, concurrency] of ONLY.has('dispatch') ? ([['dispatch c=1', C1_REQUESTS, 1], ['dispatch c=20', C20_REQUESTS, 20]] as const) : []) {
        const threadId = await createThread(loom, tokens.operate, WORKSPACE)
        const bodies = metadataBodies(threadId, Math.ceil(count * scale), `${rep}-${concurrency}`)
        for (const side of order) keep(name, side, await dispatchLatency(target(side, threadId), bodies, concurrency))
      }
      for (const side of ONLY.has('ingest') ? order : []) {
        const link = await linkFor(side)
        const events = Math.ceil(INGEST_EVENTS * scale)
        const frames = batchFrames(link.runId, link.epoch, link.nextSeq, 0, events, BATCH)
        keep('ingest', side, await ingest(target(side, link.threadId), link.socket, frames, link.nextSeq, events, WINDOW))
        link.socket.close()
      }
      if (!ONLY.has('fanout')) return
      const fanThread = await createThread(loom, tokens.operate, WORKSPACE)
      const fanBodies = metadataBodies(fanThread, Math.ceil(FANOUT_EVENTS * scale), `${rep}-fan`)
      for (const side of order) {
        const t = target(side, fanThread)
        const sockets = await subscribers(t, Math.ceil(SUBSCRIBERS * scale))
        keep('fan-out', side, await fanOut(t, sockets, fanBodies, FANOUT_CONCURRENCY))
        for (const socket of sockets) socket.close()
      }
    }

    log('warm-up')
    await round(-1, 0.2)

    if (ONLY.has('catchup')) log(`building the catch-up threads (${CATCHUP_EVENTS} events each)`)
    const meterNs = await loom.mf.getDurableObjectNamespace('THREADS')
    const meter = (threadId: string, reset: boolean): Promise<Counts> =>
      (meterNs.get(meterNs.idFromName(threadId)) as unknown as { meter: (reset: boolean) => Promise<Counts> }).meter(reset)
    const catchUpThreads = {} as Record<Side, string>
    for (const side of ONLY.has('catchup') ? (['loom', 'baseline'] as const) : []) {
      const link = await linkFor(side)
      const have = side === 'loom' ? (await meter(link.threadId, false)).sequence : 0
      // Loom logs three events per item (node, message, turn item); the baseline one row per event.
      const items = side === 'loom' ? Math.ceil((CATCHUP_EVENTS - have) / 3) : CATCHUP_EVENTS
      await ingest(target(side, link.threadId), link.socket, batchFrames(link.runId, link.epoch, link.nextSeq, 0, items, BATCH), link.nextSeq, items, WINDOW)
      link.socket.close()
      catchUpThreads[side] = link.threadId
    }
    if (ONLY.has('catchup')) {
      await catchUp(target('loom', catchUpThreads.loom), 2)
      await catchUp(target('baseline', catchUpThreads.baseline), 2)
    }

    for (let rep = 0; rep < REPS; rep++) {
      log(`repetition ${rep + 1}/${REPS}`)
      await round(rep, 1)
      for (const side of !ONLY.has('catchup') ? [] : rep % 2 === 0 ? (['loom', 'baseline'] as const) : (['baseline', 'loom'] as const)) {
        record('catch-up', side, await catchUp(target(side, catchUpThreads[side]), CATCHUP_TIMES))
      }
    }

    if (ONLY.has('stream')) log('streamed reply')
    for (const gapMs of ONLY.has('stream') ? STREAM_PACES : []) {
      for (const side of ['loom', 'baseline'] as const) {
        const link = await linkFor(side)
        let baseRows = 0
        const counts =
          side === 'loom'
            ? (reset: boolean) => meter(link.threadId, reset)
            : async (reset: boolean): Promise<Counts> => {
                const probe = await baselineLink(link.threadId)
                probe.send({ id: 1, method: 'subscribeThread', params: { threadId: link.threadId } })
                const answer = await probe.until((f) => f.find((x) => x.id === 1))
                probe.close()
                const sequence = answer.result.sequence as number
                if (reset) baseRows = sequence
                return { sequence, rowsWritten: sequence - baseRows }
              }
        const streamSide: StreamSide = { ...target(side, link.threadId), link: link.socket, runId: link.runId, epoch: link.epoch, firstSeq: link.nextSeq, counts }
        record(`stream ${gapMs === 0 ? 'burst' : `paced ${gapMs} ms`}`, side, await streamReply(streamSide, gapMs))
        link.socket.close()
      }
    }
  }
  if (ONLY.has('turns')) turns = await runTurns(loom, secret, log)
} finally {
  await loom.dispose()
  await baseline?.dispose()
}

const section = turns.length > 0 ? turnsSection(turns, environment(root), TURNS_START, TURNS_END) : null
if (section) console.log(`\n${turnsTables(turns)}\n`)
// A partial run of the classic scenarios (`--only ingest,fanout`) prints its table only.
const complete = CLASSIC.every((name) => ONLY.has(name))
const written = classic ? summarize(results, root, section, complete) ?? (section ? writeTurnsSection(root, section) : null) : section ? writeTurnsSection(root, section) : null
if (written) log(`wrote ${written}`)
