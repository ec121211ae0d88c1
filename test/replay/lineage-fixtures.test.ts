/**
 * Our own lineage fixtures (fixtures/transcripts/lineage_<name>/<provider>.ndjson, recorded through the
 * whole system by scripts/record-lineage.ts) replayed through the whole system: the bundled worker
 * in Miniflare, the real runner in-process holding the real adapter of each provider the
 * recording used on a STRICT replay transport, a git workspace, and the scenario's own steps
 * (fork, merge-back, switch, rollback) played through the API (scripts/replay/lineage-replay.ts).
 * Each replay is checked against the scenario's hand-written expectations: every thread's
 * projection and what each provider received (the outbound frames the adapters sent); every
 * transcript fully consumed; sequences exactly 1..n per thread; no invariant violation; and a
 * second replay gives the identical event log per thread. All replays share two workers (the two
 * replays of a fixture on different ones) and run a few at a time.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LINEAGE_SCENARIOS, recordingsOf, startsOn, type FixtureProvider, type LineageScenario } from '../../fixtures/scenarios/lineage/index.ts'
import { comparableLog } from '../../scripts/replay/event-log.ts'
import { lineageMisses } from '../../scripts/replay/lineage-expect.ts'
import { replayLineage, type LineageReplayResult } from '../../scripts/replay/lineage-replay.ts'
import { startReplayWorker, type ReplayWorker } from '../../scripts/replay/worker.ts'
import { TRANSCRIPTS_DIR } from '../../scripts/record-fixtures.ts'

const CONCURRENCY = 6

type Case = { scenario: LineageScenario; providers: FixtureProvider[]; key: string; files: Partial<Record<FixtureProvider, string>> }

const cases: Case[] = LINEAGE_SCENARIOS.flatMap((scenario) =>
  recordingsOf(scenario).map((providers) => ({
    scenario,
    providers,
    key: `${scenario.name}/${providers.join('+')}`,
    files: Object.fromEntries(providers.map((p) => [p, join(TRANSCRIPTS_DIR, scenario.name, `${p}.ndjson`)])),
  })),
)

const results = new Map<string, LineageReplayResult[] | Error>()
const workers: ReplayWorker[] = []

beforeAll(async () => {
  workers.push(...(await Promise.all([startReplayWorker(), startReplayWorker()])))
  // Rollbacks replay in a git workspace, the slowest: started first, so none is left alone at the end.
  const slow = (c: Case) => (c.scenario.steps.some((s) => s.kind === 'rollback') ? 0 : 1)
  const jobs = [...cases].sort((a, b) => slow(a) - slow(b)).flatMap((c) => [1, 2].map((n) => ({ c, n })))
  let next = 0
  const replayNext = async (): Promise<void> => {
    for (let i = next++; i < jobs.length; i = next++) {
      const { c, n } = jobs[i]!
      try {
        const texts = Object.fromEntries(Object.entries(c.files).map(([p, file]) => [p, readFileSync(file, 'utf8')]))
        const result = await replayLineage(c.scenario, c.providers, texts, { worker: workers[i % workers.length]!, tag: `${c.providers.join('-')}-r${n}` })
        const done = results.get(c.key)
        results.set(c.key, done instanceof Error ? done : [...(done ?? []), result])
      } catch (error) {
        results.set(c.key, error instanceof Error ? error : new Error(String(error)))
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, replayNext))
}, 120_000)

afterAll(async () => {
  await Promise.all(workers.map((w) => w.dispose()))
})

describe('our own lineage fixtures replayed through the whole system (strict)', () => {
  it('every lineage scenario has its fixtures, on both providers (the switch: one pair)', () => {
    expect(cases.map((c) => c.key)).toHaveLength(15)
    for (const c of cases) for (const file of Object.values(c.files)) expect(existsSync(file!), file).toBe(true)
  })

  for (const c of cases) {
    it(c.key, () => {
      const replayed = results.get(c.key)
      if (replayed instanceof Error || replayed === undefined) throw replayed ?? new Error('not replayed')
      expect(replayed).toHaveLength(2)
      const [first, second] = replayed as [LineageReplayResult, LineageReplayResult]
      expect(first.problems).toEqual([])
      expect(first.violations).toEqual([])
      const projections = new Map([...first.threads].map(([name, t]) => [name, t.projection]))
      expect(lineageMisses(c.scenario, startsOn(c.scenario, c.providers), projections, first.frames)).toEqual([])
      for (const [name, t] of first.threads) {
        // Sequences exactly 1..n, as the thread's subscriber saw them.
        expect(t.events.map((e) => e.sequence), name).toEqual(t.events.map((_, i) => i + 1))
        expect(t.projection.sequence, name).toBe(t.events.length)
      }
      // A second replay on other threads yields the identical event log, thread by thread.
      expect(second.problems).toEqual([])
      expect([...second.threads.keys()]).toEqual([...first.threads.keys()])
      // Other threads' ids (a fork's source) carry the replay's own prefix: named alike for the comparison.
      const comparable = (r: LineageReplayResult, name: string) => comparableLog(r.threads.get(name)!.events).map((line) => line.replaceAll(r.idPrefix, '<lineage>'))
      for (const name of first.threads.keys()) expect(comparable(second, name), name).toEqual(comparable(first, name))
    })
  }
})
