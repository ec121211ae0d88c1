/**
 * @module REAL BINARIES: spawns the pinned `codex app-server` and Claude Code (via the Agent
 * SDK) against the fake model servers on 127.0.0.1. Records `simple` and the most race-prone
 * scenario, `subagents` (a Codex collab agent runs beside its parent), twice per provider into
 * temp dirs with scripts/record-fixtures.ts and expects identical bytes (the recorder is
 * deterministic), equal to the committed fixture too. The lineage recorder (through the whole
 * system) is held to the same: the Codex -> Claude -> Codex switch, recorded again, must be
 * byte for byte the committed pair.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { fixturePath, pinnedVersion, recordScenario, TRANSCRIPTS_DIR } from '../../scripts/record-fixtures.ts'
import { recordLineage } from '../../scripts/record-lineage.ts'
import { lineageScenarioNamed } from '../../fixtures/scenarios/lineage/index.ts'
import { scenarioNamed, type FixtureProvider } from '../../fixtures/scenarios/index.ts'

const dirs: string[] = []
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-record-twice-'))
  dirs.push(dir)
  return dir
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe('fixtures:record with the real provider binaries', () => {
  for (const [scenario, provider] of ['simple', 'subagents'].flatMap((name) => (['codex', 'claude'] as FixtureProvider[]).map((p) => [scenarioNamed(name), p] as const))) {
    it(`records ${scenario.name}/${provider} twice to the same bytes`, { timeout: 60_000 }, async () => {
      const first = readFileSync(await recordScenario(scenario, provider, tempDir()), 'utf8')
      const second = readFileSync(await recordScenario(scenario, provider, tempDir()), 'utf8')
      expect(second).toBe(first)
      expect(first).toBe(readFileSync(fixturePath(TRANSCRIPTS_DIR, scenario.name, provider), 'utf8'))
    })
  }

  it('records lineage_provider_switch through the whole system to the committed bytes', { timeout: 120_000 }, async () => {
    const scenario = lineageScenarioNamed('lineage_provider_switch')
    if (!scenario) throw new Error('no lineage_provider_switch scenario')
    const dir = tempDir()
    const written = await recordLineage(scenario, scenario.providers, dir, pinnedVersion)
    expect(written).toHaveLength(2)
    for (const provider of scenario.providers) {
      expect(readFileSync(fixturePath(dir, scenario.name, provider), 'utf8')).toBe(readFileSync(fixturePath(TRANSCRIPTS_DIR, scenario.name, provider), 'utf8'))
    }
  })
})
