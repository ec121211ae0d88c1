/**
 * @module `npm run fixtures:record [-- --only NAME] [--out DIR]`: regenerates
 * fixtures/transcripts/<scenario>/<provider>.ndjson by playing every scenario script
 * (fixtures/scenarios) with the real provider binaries against a fresh fake model server, and
 * normalizing the captured native frames (runner/replay/record.ts). Recording twice gives the
 * same bytes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startFakeAnthropic, startFakeOpenAI } from '../fixtures/fake-models/index.ts'
import { SCENARIOS, scenarioNamed, type FixtureProvider, type Scenario } from '../fixtures/scenarios/index.ts'
import { recordFixture } from '../runner/replay/index.ts'
import { driveScenario } from './record-fixtures-drive.ts'
import { LINEAGE_SCENARIOS, lineageScenarioNamed, recordingsOf } from '../fixtures/scenarios/lineage/index.ts'
import { recordLineage } from './record-lineage.ts'
import { FIXED_ROOT } from './record-fixtures-scrub.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const TRANSCRIPTS_DIR = join(ROOT, 'fixtures', 'transcripts')

/** Fixed token counts: requests carry wall-clock text and replies may echo random names, so derived counts would vary. */
const FAKE_OPTIONS = { inputTokens: 1000, outputTokens: 50 }

const PROTOCOL = { codex: 'codex.app-server', claude: 'claude-agent-sdk.query' } as const
const PACKAGE = { codex: '@openai/codex', claude: '@anthropic-ai/claude-agent-sdk' } as const

/** The pinned version of the provider package, as installed. */
export const pinnedVersion = (provider: FixtureProvider): string =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', PACKAGE[provider], 'package.json'), 'utf8')) as { version: string }).version

export const fixturePath = (dir: string, scenario: string, provider: FixtureProvider): string => join(dir, scenario, `${provider}.ndjson`)

/** Records one scenario on one provider into `dir`; returns the path written. */
export async function recordScenario(scenario: Scenario, provider: FixtureProvider, dir = TRANSCRIPTS_DIR): Promise<string> {
  const fake = provider === 'codex' ? await startFakeOpenAI(FAKE_OPTIONS) : await startFakeAnthropic(FAKE_OPTIONS)
  try {
    const { entries, root } = await driveScenario(scenario, provider, fake)
    const text = recordFixture(
      {
        name: `${scenario.name}/${provider}`,
        header: { type: 'transcript_start', provider, protocol: PROTOCOL[provider], version: pinnedVersion(provider), scenario: scenario.name, metadata: {} },
        entries,
      },
      { metadata: { generatedBy: 'loom fixtures:record', description: scenario.description, runs: scenario.runs, ...(scenario.thread ? { thread: scenario.thread } : {}) }, normalize: { renames: { [root]: FIXED_ROOT, [new URL(fake.url).host]: '127.0.0.1:<port>' } } },
    )
    const out = fixturePath(dir, scenario.name, provider)
    mkdirSync(dirname(out), { recursive: true })
    writeFileSync(out, text)
    return out
  } finally {
    await fake.close()
  }
}

const main = async () => {
  const { values } = parseArgs({ options: { only: { type: 'string' }, out: { type: 'string' } } })
  const only = values.only ? lineageScenarioNamed(values.only) : undefined
  const lineage = values.only ? (only ? [only] : []) : LINEAGE_SCENARIOS
  const scenarios = values.only ? (only ? [] : [scenarioNamed(values.only)]) : SCENARIOS
  for (const scenario of scenarios) {
    for (const provider of scenario.providers) {
      const started = Date.now()
      const out = await recordScenario(scenario, provider, values.out ?? TRANSCRIPTS_DIR)
      console.log(`${scenario.name}/${provider}: ${out} (${Date.now() - started} ms)`)
    }
  }
  // Lineage scenarios span several threads: recorded through the whole system (scripts/record-lineage.ts).
  for (const scenario of lineage) {
    for (const providers of recordingsOf(scenario)) {
      const started = Date.now()
      const out = await recordLineage(scenario, providers, values.out ?? TRANSCRIPTS_DIR, pinnedVersion)
      console.log(`${scenario.name}/${providers.join('+')}: ${out.join(', ')} (${Date.now() - started} ms)`)
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
  })
}
