/**
 * @module Records a lineage scenario (fixtures/scenarios/lineage) THROUGH THE WHOLE SYSTEM: the
 * worker in Miniflare, the real Runner in this process with the REAL adapters (`codex
 * app-server`, the Claude Agent SDK) pointed at fresh fake model servers, a git workspace (for
 * checkpoints), and the scenario's steps played through the API (scripts/replay/lineage-steps.ts).
 * Every native frame of every session of a provider is captured into one ordered list, checked
 * against the scenario's expectations, and written normalized (runner/replay/record.ts) to
 * fixtures/transcripts/<scenario>/<provider>.ndjson. `npm run fixtures:record` calls it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { ProviderKind } from '../src/contracts/index.ts'
import { startFakeAnthropic, startFakeOpenAI, type FakeModelServer } from '../fixtures/fake-models/index.ts'
import { startsOn, type FixtureProvider, type LineageScenario } from '../fixtures/scenarios/lineage/index.ts'
import { recordFixture } from '../runner/replay/index.ts'
import { capturingAdapters, fakeProviderEnv } from './record-lineage-capture.ts'
import { FIXED_ROOT, scrubEntries } from './record-fixtures-scrub.ts'
import { lineageMisses } from './replay/lineage-expect.ts'
import type { CapturedFrames } from './replay/lineage-capture.ts'
import { lineageIdPrefix, RECORDED_TAG, runLineageSteps, type LineageThreads } from './replay/lineage-steps.ts'
import { startRunner } from './replay/runner.ts'
import { startReplayWorker } from './replay/worker.ts'
import { mintToken } from './tokens.ts'

/** Fixed token counts, as scripts/record-fixtures.ts (requests carry wall-clock text). */
const FAKE_OPTIONS = { inputTokens: 1000, outputTokens: 50 }
const PROTOCOL = { codex: 'codex.app-server', claude: 'claude-agent-sdk.query' } as const
/** A step may take this long with the real binaries. */
const WAIT_MS = 45_000
/** How long every provider must have been silent before a step. */
const QUIET_MS = 150
const FIXED_HOME = '/tmp/loom-fixture-home'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until no provider frame arrived for QUIET_MS. */
const quietFrames = async (frames: CapturedFrames): Promise<void> => {
  const count = () => [...frames.values()].reduce((n, e) => n + e.length, 0)
  for (let seen = -1; seen !== count(); ) {
    seen = count()
    await sleep(QUIET_MS)
  }
}

const startFake = (provider: ProviderKind): Promise<FakeModelServer> => (provider === 'codex' ? startFakeOpenAI(FAKE_OPTIONS) : startFakeAnthropic(FAKE_OPTIONS))

/**
 * Records `scenario` with `providers` (one, or all of a switch scenario together) into `dir`;
 * `version(p)` is the pinned package version for the header. Returns the paths written.
 */
export async function recordLineage(scenario: LineageScenario, providers: readonly FixtureProvider[], dir: string, version: (p: ProviderKind) => string): Promise<string[]> {
  const fakes: Partial<Record<ProviderKind, FakeModelServer>> = {}
  for (const p of providers) fakes[p] = await startFake(p)
  const home = mkdtempSync(join(tmpdir(), 'loom-lineage-home-'))
  const worker = await startReplayWorker()
  const workspaceId = `ws-${lineageIdPrefix(scenario, RECORDED_TAG)}`
  const frames: CapturedFrames = new Map()
  const threads: LineageThreads = new Map()
  const adapters = capturingAdapters(providers, frames, version)
  let runner: ReturnType<typeof startRunner> | null = null
  try {
    const runnerToken = await mintToken(worker.secret, { sub: 'runner:record', scopes: ['runner'], workspaces: [workspaceId], days: 1 })
    const userToken = await mintToken(worker.secret, { sub: 'user:record', scopes: ['read', 'operate'], workspaces: [workspaceId], days: 1 })
    runner = startRunner({ server: worker.url, token: runnerToken, adapters, providerEnv: fakeProviderEnv(fakes, home), git: true })
    const settle = async (ts: { quiet: () => Promise<void> }[]) => {
      await quietFrames(frames)
      await Promise.all(ts.map((t) => t.quiet()))
    }
    const main = startsOn(scenario, providers)
    await runLineageSteps(scenario, { base: worker.url, token: userToken, workspaceId, idPrefix: lineageIdPrefix(scenario, RECORDED_TAG), provider: main, waitMs: WAIT_MS, settle }, threads)
    const projections = new Map([...threads].map(([name, t]) => [name, t.projection()]))
    const misses = lineageMisses(scenario, main, projections, frames)
    if (misses.length > 0) throw new Error(`${scenario.name} (${providers.join('+')}): the recording does not meet the scenario:\n${misses.join('\n')}`)
    // As a replay ends: the shared Codex process first (no unsubscribes), then the runner closes the Claude sessions.
    await adapters.get('codex')?.shutdown?.()
    await quietFrames(frames)
    const workspace = runner.workspace
    await runner.stop()
    runner = null
    await quietFrames(frames)
    const renames = {
      [workspace]: FIXED_ROOT,
      [home]: FIXED_HOME,
      ...Object.fromEntries(Object.values(fakes).map((f) => [new URL(f.url).host, '127.0.0.1:<port>'])),
    }
    const written: string[] = []
    for (const provider of providers) {
      const text = recordFixture(
        {
          name: `${scenario.name}/${provider}`,
          header: { type: 'transcript_start', provider, protocol: PROTOCOL[provider], version: version(provider), scenario: scenario.name, metadata: {} },
          entries: scrubEntries(frames.get(provider) ?? []),
        },
        {
          metadata: { generatedBy: 'loom fixtures:record', description: scenario.description, lineage: { providers, startsOn: main, threadIds: lineageIdPrefix(scenario, RECORDED_TAG) } },
          normalize: { renames },
        },
      )
      const out = join(dir, scenario.name, `${provider}.ndjson`)
      mkdirSync(dirname(out), { recursive: true })
      writeFileSync(out, text)
      written.push(out)
    }
    return written
  } finally {
    for (const t of threads.values()) t.close()
    // On a failure too: no provider process outlives the recording.
    await adapters.get('codex')?.shutdown?.()
    if (runner) await runner.stop()
    await worker.dispose()
    for (const f of Object.values(fakes)) await f.close()
    rmSync(home, { recursive: true, force: true, maxRetries: 3 })
  }
}
