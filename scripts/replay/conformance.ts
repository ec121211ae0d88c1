/**
 * @module Upstream corpus conformance through the whole system: every `codex` and `claude`
 * transcript of the corpus replayed in compatible mode by `replayThroughSystem` (the bundled
 * worker in Miniflare, commands over HTTP, the projection as a WebSocket subscriber saw it, the
 * real runner and adapter on a replay transport). A transcript passes when the replay consumed
 * every recorded entry with no unexpected outbound frame, the projection keeps the invariants
 * (every run terminal, sequences 1..n, no orphans, no request left pending) and it meets the
 * corpus README's expectation for its scenario (expectations.ts). One worker serves all
 * scenarios, each on its own workspace and thread, a few at a time; recordings that restart the
 * provider run on a second one that releases idle sessions after a second (idle-release.ts),
 * recordings that roll back in a git workspace (rollback.ts).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseTranscript, type Transcript } from '../../runner/replay/index.ts'
import { ROOT } from '../local-worker.ts'
import { expectationMisses } from './expectations.ts'
import { replayThroughSystem, type SystemReplayResult } from './harness.ts'
import { REPLAY_IDLE_SECONDS, restartsProvider } from './idle-release.ts'
import { rollsBack } from './rollback.ts'
import { startReplayWorker } from './worker.ts'

export const CORPUS_PROVIDERS = ['codex', 'claude'] as const
export type CorpusProvider = (typeof CORPUS_PROVIDERS)[number]

export type ConformanceRow = {
  scenario: string
  provider: CorpusProvider
  pass: boolean
  /** Why it failed, one line per cause joined by `; ` (empty on a pass). */
  reason: string
  /** The transcript line the first cause names, if it names one. */
  line: number | null
  ms: number
}

/** `LOOM_UPSTREAM_FIXTURES`, default ../shared/upstream-fixtures next to the repository. */
export const corpusDir = (): string => resolve(ROOT, process.env.LOOM_UPSTREAM_FIXTURES ?? '../shared/upstream-fixtures')

/** `<scenario>/<provider>_transcript.ndjson` of both providers, by scenario then provider; throws when the corpus is absent. */
export const corpusFiles = (dir = corpusDir()): { scenario: string; provider: CorpusProvider; path: string }[] => {
  if (!existsSync(dir)) throw new Error(`upstream corpus not found at ${dir} (set LOOM_UPSTREAM_FIXTURES)`)
  return readdirSync(dir)
    .sort()
    .flatMap((scenario) =>
      CORPUS_PROVIDERS.map((provider) => ({ scenario, provider, path: join(dir, scenario, `${provider}_transcript.ndjson`) })).filter((f) => existsSync(f.path)),
    )
}

/** The first line of a cause; a heading that ends in `:` (a list follows) keeps the list's first line. */
const oneLine = (text: string): string => {
  const [head = '', next] = text.split('\n').map((l) => l.trim())
  return head.endsWith(':') && next ? `${head} ${next}` : head
}

/** A rough estimate of how long a replay waits: a git workspace, then each provider restart (an idle release). */
const replayCost = (t: Transcript): number => (rollsBack(t) ? 4 : 0) + t.entries.filter((e) => e.type === 'runtime_exit').length

/**
 * Replays every transcript of the corpus on one worker, `concurrency` at a time (default 10: a
 * replay mostly waits for the stream to settle, so ten at once still leave more than half of a
 * 2-core machine's CPU idle; measured, the corpus took 7-8 s at 10 and 10 s at 6); rows in corpus order.
 * `onRow` sees each row as it is done, `onResult` its replay too.
 */
export async function runConformance(
  opts: { dir?: string; concurrency?: number; onRow?: (row: ConformanceRow) => void; onResult?: (row: ConformanceRow, result: SystemReplayResult) => void } = {},
): Promise<ConformanceRow[]> {
  const files = corpusFiles(opts.dir)
  const worker = await startReplayWorker()
  // Recordings that restart the provider replay as idle releases, on a worker that releases soon.
  const idleWorker = await startReplayWorker({ idleSeconds: REPLAY_IDLE_SECONDS })
  const rows: ConformanceRow[] = new Array(files.length)
  const transcripts = files.map((file) => parseTranscript(readFileSync(file.path, 'utf8'), `${file.scenario}/${file.provider}_transcript.ndjson`))
  // The slow ones (a git workspace, idle releases) first, so the last to finish is a short one.
  const order = files.map((_, i) => i).sort((a, b) => replayCost(transcripts[b]!) - replayCost(transcripts[a]!) || a - b)
  let next = 0
  const replayNext = async (): Promise<void> => {
    for (let k = next++; k < order.length; k = next++) {
      const i = order[k]!
      const file = files[i]!
      const started = Date.now()
      const id = `${file.scenario}-${file.provider}`
      const transcript = transcripts[i]!
      const on = restartsProvider(transcript) ? idleWorker : worker
      const result = await replayThroughSystem(transcript, { worker: on, threadId: `thread-${id}`, workspaceId: `ws-${id}` })
      const causes = [...result.problems, ...result.violations, ...expectationMisses(file.scenario, result)]
      const line = /\bline (\d+)\b/.exec(causes[0] ?? '')?.[1]
      const reason = causes.map(oneLine).join('; ')
      rows[i] = { scenario: file.scenario, provider: file.provider, pass: causes.length === 0, reason, line: line ? Number(line) : null, ms: Date.now() - started }
      opts.onRow?.(rows[i]!)
      opts.onResult?.(rows[i]!, result)
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 10) }, replayNext))
  } finally {
    await Promise.all([worker.dispose(), idleWorker.dispose()])
  }
  return rows
}
