/**
 * @module REAL BINARIES: spawns the pinned `codex app-server` and Claude Code (via the Agent
 * SDK) against the fake model servers on 127.0.0.1. Records `simple` and the most race-prone
 * scenario, `subagents` (a Codex collab agent runs beside its parent), twice per provider into
 * temp dirs with scripts/record-fixtures.ts and expects identical bytes (the recorder is
 * deterministic), equal to the committed fixture too.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { fixturePath, recordScenario, TRANSCRIPTS_DIR } from '../../scripts/record-fixtures.ts'
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
})
