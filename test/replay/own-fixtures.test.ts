/**
 * Our own fixtures (fixtures/transcripts/<scenario>/<provider>.ndjson) through the whole system:
 * the bundled worker in Miniflare, the real runner and adapter in-process on a STRICT replay
 * transport, commands over HTTP, the projection as a WebSocket subscriber saw it
 * (scripts/replay/harness.ts). Each fixture is checked against the `expect` section of its
 * scenario script (fixtures/scenarios/<name>.ts), written by hand: run statuses and failures,
 * attempts, node tree, turn item types and order, message texts, runtime requests and their
 * resolution, subagents; sequences exactly 1..n; and a second replay gives the identical event
 * log. All replays share two workers (one releases idle sessions quickly, for recordings that
 * restart the provider) and run a few at a time, so the file stays fast.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ThreadProjection } from '../../src/contracts/index.ts'
import { SCENARIOS, textFor, type ExpectedRun, type FixtureProvider, type Scenario } from '../../fixtures/scenarios/index.ts'
import { parseTranscript, type Transcript } from '../../runner/replay/index.ts'
import { comparableLog } from '../../scripts/replay/event-log.ts'
import { replayThroughSystem, type SystemReplayResult } from '../../scripts/replay/harness.ts'
import { REPLAY_IDLE_SECONDS, restartsProvider } from '../../scripts/replay/idle-release.ts'
import { startReplayWorker, type ReplayWorker } from '../../scripts/replay/worker.ts'
import { TRANSCRIPTS_DIR } from '../../scripts/record-fixtures.ts'

/** Replays mostly wait for the stream to settle: eight at once still leave a 2-core machine's CPU half idle. */
const CONCURRENCY = 8

type Case = { scenario: Scenario; provider: FixtureProvider; expected: ExpectedRun[]; file: string }

const cases: Case[] = SCENARIOS.flatMap((scenario) =>
  scenario.providers.map((provider) => ({ scenario, provider, expected: scenario.expect?.[provider]?.runs ?? [], file: join(TRANSCRIPTS_DIR, scenario.name, `${provider}.ndjson`) })),
)

/** The user text each run was dispatched with (steering texts are not runs), in run order. */
const userTexts = (scenario: Scenario, provider: FixtureProvider): string[] =>
  scenario.steps.flatMap((s) => (s.kind === 'send' && s.mode !== 'steer' ? [textFor(s.text, provider)] : []))

const runsOf = (p: ThreadProjection) => [...p.runs].sort((a, b) => a.ordinal - b.ordinal)

/** The node tree of one run as sorted `parent>child` kinds (the root alone as its kind). */
const nodeTree = (p: ThreadProjection, runId: string): string[] => {
  const nodes = p.nodes.filter((n) => n.runId === runId)
  const kind = new Map([...nodes.map((n) => [n.id, n.kind] as const), ...p.subagents.map((s) => [s.id, 'subagent'] as const)])
  return nodes.map((n) => (n.parentNodeId === null ? n.kind : `${kind.get(n.parentNodeId) ?? '?'}>${n.kind}`)).sort()
}

type Replayed = { first: SystemReplayResult; second: SystemReplayResult }
const results = new Map<string, Replayed | Error>()
const workers: ReplayWorker[] = []

beforeAll(async () => {
  const [worker, idleWorker] = await Promise.all([startReplayWorker(), startReplayWorker({ idleSeconds: REPLAY_IDLE_SECONDS })])
  workers.push(worker, idleWorker)
  const jobs = cases.flatMap((c) => [0, 1].map((n) => ({ c, n })))
  const done = new Map<string, SystemReplayResult[]>()
  let next = 0
  const replayNext = async (): Promise<void> => {
    for (let i = next++; i < jobs.length; i = next++) {
      const { c, n } = jobs[i]!
      const key = `${c.scenario.name}/${c.provider}`
      try {
        const transcript: Transcript = parseTranscript(readFileSync(c.file, 'utf8'), key)
        const id = `${c.scenario.name}-${c.provider}-${n}`.replace(/_/g, '-')
        const on = restartsProvider(transcript) ? idleWorker : worker
        const result = await replayThroughSystem(transcript, { mode: 'strict', worker: on, threadId: `thread-${id}`, workspaceId: `ws-${id}` })
        done.set(key, [...(done.get(key) ?? []), result])
        const both = done.get(key)!
        if (both.length === 2) results.set(key, { first: both[0]!, second: both[1]! })
      } catch (error) {
        results.set(key, error instanceof Error ? error : new Error(String(error)))
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, replayNext))
}, 180_000)

afterAll(async () => {
  await Promise.all(workers.map((w) => w.dispose()))
})

describe('our own fixtures replayed through the whole system (strict)', () => {
  it('every scenario script has its fixtures and an expectation per provider', () => {
    expect(cases.length).toBeGreaterThan(20)
    for (const c of cases) {
      expect(existsSync(c.file), c.file).toBe(true)
      expect(c.expected.length, `${c.scenario.name}: expect.${c.provider}`).toBe(c.scenario.runs.length)
    }
  })

  for (const c of cases) {
    it(`${c.scenario.name}/${c.provider}`, () => {
      const replayed = results.get(`${c.scenario.name}/${c.provider}`)
      if (replayed instanceof Error || replayed === undefined) throw replayed ?? new Error('not replayed')
      const { first, second } = replayed
      const p = first.projection
      expect(first.problems).toEqual([])
      expect(first.violations).toEqual([])
      // Sequences exactly 1..n, as the subscriber saw them.
      expect(first.events.map((e) => e.sequence)).toEqual(first.events.map((_, i) => i + 1))
      expect(p.sequence).toBe(first.events.length)
      expect(p.thread.runtimeMode).toBe(c.scenario.thread?.runtimeMode ?? 'approval-required')
      expect(p.thread.interactionMode).toBe(c.scenario.thread?.interactionMode ?? 'default')

      const runs = runsOf(p)
      expect(runs.map((r) => r.status)).toEqual(c.expected.map((r) => r.status))
      expect(runs.map((r) => r.status)).toEqual(c.scenario.runs)
      const texts = userTexts(c.scenario, c.provider)
      runs.forEach((run, i) => {
        const want = c.expected[i]!
        const where = `run ${i + 1}`
        expect(run.failure?.code ?? null, `${where} failure`).toBe(want.failure ?? null)
        const attempts = p.attempts.filter((a) => a.runId === run.id)
        expect(attempts.map((a) => a.status), `${where} attempts`).toEqual(want.attempts ?? [run.status])
        const items = p.turnItems.filter((item) => item.runId === run.id).sort((a, b) => a.ordinal - b.ordinal)
        expect(items.map((item) => item.content.type), `${where} items`).toEqual(want.items)
        const user = items.find((item) => item.content.type === 'user_message')?.content
        expect(user?.type === 'user_message' ? user.text : null, `${where} user text`).toBe(want.user ?? texts[i])
        const assistant = items.filter((item) => item.content.type === 'assistant_message').at(-1)?.content
        const said = assistant?.type === 'assistant_message' ? assistant.text.trim() : null
        if (want.assistant instanceof RegExp) expect(said, `${where} assistant text`).toMatch(want.assistant)
        else expect(said, `${where} assistant text`).toBe(want.assistant ?? null)
        const requests = p.runtimeRequests.filter((r) => r.runId === run.id).sort((a, b) => a.createdAt - b.createdAt)
        expect(
          requests.map((r) => ({ kind: r.kind, status: r.status, ...(r.response?.decision ? { decision: r.response.decision } : {}), ...(r.response?.answers ? { answers: r.response.answers } : {}) })),
          `${where} requests`,
        ).toEqual(want.requests ?? [])
        expect(p.subagents.filter((s) => s.runId === run.id).length, `${where} subagents`).toBe(want.subagents ?? 0)
        expect(nodeTree(p, run.id), `${where} nodes`).toEqual([...want.nodes].sort())
      })

      // A second replay yields the identical event log (derived ids, times normalized).
      expect(second.problems).toEqual([])
      expect(comparableLog(second.events)).toEqual(comparableLog(first.events))
    })
  }
})
