/** @module The table of medians, the method, and BENCHMARKS.md, from what run.ts collected. */
import { cpus } from 'node:os'
import { BATCH, C1_REQUESTS, C20_REQUESTS, CATCHUP_EVENTS, FANOUT_CONCURRENCY, FANOUT_EVENTS, INGEST_EVENTS, REPS, SUBSCRIBERS, WINDOW } from './config.ts'
import { foreignLoad } from './cpu.ts'
import { environment, table, writeReport, type Row } from './report.ts'
import type { Figures } from './scenarios.ts'
import { median, percentile } from './stats.ts'

export type Side = 'loom' | 'baseline'
export type Collected = Record<string, Record<Side, Figures[]>>

/** Medians per scenario and side, as table rows with ratios and target checks. */
const rowsOf = (results: Collected): Row[] => {
  const med = (name: string, side: Side, key: string): number => median((results[name]?.[side] ?? []).map((f) => f[key] as number))
  const rows: Row[] = []
  const add = (scenario: string, metric: string, key: string, unit: string, kind: 'lower' | 'higher' | 'none', target = '', check?: (loom: number, ratio: number) => boolean) => {
    if (!results[scenario]) return
    const l = med(scenario, 'loom', key)
    const b = med(scenario, 'baseline', key)
    const ratio = kind === 'none' || Number.isNaN(b) || b === 0 ? null : l / b
    rows.push({ scenario, metric, loom: l, baseline: Number.isNaN(b) ? null : b, ratio, target, met: check ? check(l, ratio ?? Number.NaN) : null, unit })
  }
  for (const name of ['dispatch c=1', 'dispatch c=20']) {
    add(name, 'latency p50', 'p50', 'ms', 'lower', '≤ 1.5× baseline', (_, r) => r <= 1.5)
    add(name, 'latency p99', 'p99', 'ms', 'lower')
    add(name, 'requests/s', 'perSecond', '', 'higher')
    add(name, 'server CPU / request', 'serverCpuPerOp', 'ms', 'lower')
  }
  add('ingest', 'runtime events/s', 'eventsPerSecond', '', 'higher', '≥ 0.9× baseline', (_, r) => r >= 0.9)
  add('ingest', 'server CPU / event', 'serverCpuPerOp', 'ms', 'lower')
  add('ingest', 'server CPU / event, with the write-behind 1.3 s after', 'serverCpuSettledPerOp', 'ms', 'lower')
  add('ingest', 'client CPU / event', 'clientCpuPerOp', 'ms', 'lower')
  add('fan-out', 'all 100 × 1,000 delivered', 'ms', 'ms', 'lower')
  add('fan-out', 'deliveries/s', 'deliveriesPerSecond', '', 'higher', '≥ 0.9× baseline', (_, r) => r >= 0.9)
  add('fan-out', 'server CPU / delivery', 'serverCpuPerOp', 'ms', 'lower')
  add('fan-out', 'client CPU / delivery', 'clientCpuPerOp', 'ms', 'lower')
  add('fan-out', 'frames per subscriber', 'framesPerSubscriber', '', 'lower')
  add('fan-out', 'bytes per event on the wire', 'bytesPerEvent', '', 'lower')
  add('catch-up', 'subscribe → snapshot p50', 'p50', 'ms', 'lower', '< 50 ms', (l) => l < 50)
  add('catch-up', 'events in thread', 'events', '', 'none')
  add('catch-up', 'snapshot frame bytes', 'bytes', '', 'lower')
  add('catch-up', 'server CPU / snapshot', 'serverCpuPerOp', 'ms', 'lower')
  for (const name of Object.keys(results).filter((n) => n.startsWith('stream'))) {
    add(name, 'durable events', 'events', '', 'lower', '≤ 10', (l) => l <= 10)
    add(name, 'SQLite rows written', 'rows', '', 'lower', '≤ 100', (l) => l <= 100)
    add(name, 'delta frames on the link', 'linkFrames', '', 'none')
    add(name, 'stream duration', 'streamMs', 'ms', 'none')
    add(name, 'server CPU / reply', 'serverCpuMs', 'ms', 'lower')
  }
  return rows
}

/** How busy the rest of the machine was while we measured. */
const loadLine = (): string => {
  const foreign = foreignLoad()
  return `Other processes on the machine (not the load generator, not the servers) used a median ${(100 * median(foreign)).toFixed(0)}% and at most ${(100 * Math.max(...foreign)).toFixed(0)}% of its CPU during the ${foreign.length} measured phases of 200 ms or more (90th percentile ${(100 * percentile(foreign, 90)).toFixed(0)}%).`
}

/** How the figures were taken, for the report. */
const methodText = (): string => `## Method
- \`npm run bench\` builds the bundle (\`wrangler deploy --dry-run --outdir dist\`) and runs \`bench/run.ts\`. Loom runs from
  dist/ in one Miniflare 5 instance (in-process, 127.0.0.1, port 0, bindings LOOM_JWT_SECRET and LOOM_METER_SQL=1, which lets the
  streamed-reply scenario count SQLite rows from its first reset and costs nothing elsewhere); the
  baseline (bench/baseline.ts: a Worker and one SQLite Durable Object doing a raw INSERT plus \`ws.send\`, no validation,
  no projection) runs in a second instance, so each has its own workerd process.
- Both get identical input: the same HTTP bodies and headers (Bearer token), the same batch frames (${BATCH} item.updated
  events each, the same bytes) over a WebSocket through the Worker to the object, the same subscriber and runner
  frames. Each repetition runs every scenario on Loom and on the baseline, alternating which goes first; ${REPS}
  repetitions after one unrecorded warm-up round; the table shows medians over repetitions.
- Dispatch: \`thread.metadata.update\` POSTs to /v1/commands (baseline: the same bytes, one INSERT each), ${C1_REQUESTS}
  requests at concurrency 1 and ${C20_REQUESTS} at concurrency 20, one thread; latency from fetch() to the body read.
- Ingest: a fresh thread with a live run (runner control hello, \`message.dispatch\`, link hello, turn.start effect);
  ${INGEST_EVENTS} completed \`item.updated\` events (assistant messages of 200 characters) in batches of ${BATCH}, at most
  ${WINDOW} batches unacknowledged; events/s from the first send to the last ack. Loom turns each into three domain
  events (node, message, turn item), stores each batch's events as one log row and writes the projection rows
  behind the log (within a second, worker/thread/write-behind.ts); the baseline stores one row per runtime event. "with the
  write-behind": the server's CPU from the first send until 1.3 s after the last ack (nothing else runs then),
  per event, so the deferred projection rows are counted.
- Fan-out: ${SUBSCRIBERS} subscribed sockets, ${FANOUT_EVENTS} \`thread.metadata.update\` dispatches (${FANOUT_CONCURRENCY} in flight);
  time from the first POST until every socket has every event. The sockets subscribe with \`coalesce: true\`, as Loom's
  typed client and browser UI do (the baseline gets the same frame and sends one frame per event regardless), so
  Loom sends the events that land together in one frame; every subscriber parses every frame it gets, as a client
  would. "bytes per event on the wire": what one subscriber received, divided by the events.
- Catch-up: a thread of ${CATCHUP_EVENTS.toLocaleString('en-US')} events (Loom: about ${Math.round(CATCHUP_EVENTS / 3).toLocaleString('en-US')} items from runner
  batches; baseline: ${CATCHUP_EVENTS.toLocaleString('en-US')} rows of the same item events). Time from sending
  \`subscribeThread\` on an open socket until the snapshot frame has arrived (Loom: the projection; baseline: every row).
- Streamed reply: 3,000 deltas (10,000 characters) through runner/coalescer.ts (flush per item every 50 ms or 4 KiB),
  between an item.updated \`running\` batch and a \`completed\` batch. "burst": deltas as fast as the loop runs;
  "paced 5 ms": a timer of 5 ms between deltas. Loom's figures come from the object's \`meter\` RPC (events = sequence
  advance; rows = \`rowsWritten\` of every SQL statement since reset, read 1.3 s after the last ack so the shell push
  outbox write and the written-behind projection rows that follow are included).
  The baseline writes one row per frame it gets.
- Server CPU: utime + stime of the workerd process (all threads) from /proc/<pid>/stat, before and after each
  measured phase, divided by the operations; 10 ms clock ticks, so small per-op figures are approximate.
- The machine has ${cpus().length} cores shared by both workerd processes and the load generator (Node, this process), which is
  CPU-bound itself during fan-out (100 sockets) and HTTP at concurrency 20: absolute numbers are local and pessimistic,
  the ratios are what the targets are about.`

/**
 * Prints the table and writes the report (with `turns`, the warm-turn section, when it ran);
 * returns the report's path. A run of only some scenarios prints and writes nothing (null).
 */
export const summarize = (results: Collected, root: string, turns: string | null = null, write = true): string | null => {
  const output = table(rowsOf(results))
  const load = loadLine()
  console.log(`\n${output}\n\n${load}\n`)
  if (!write) return null
  return writeReport(
    root,
    `# Benchmarks

Loom against a bare baseline Durable Object, measured in the same run (\`npm run bench\`).

${environment(root)}

${output}

${load}

Ratios are Loom / baseline of the figure in that row: for rates (requests/s, events/s, deliveries/s) higher is
better, for latency, CPU and bytes lower is better.

${methodText()}
`,
    turns,
  )
}
