/**
 * @module Every Claude transcript of the upstream corpus driven generically (replay-driver.ts)
 * in compatible mode: prints scenario -> pass / fail with the reason. Only the scenarios that
 * upstream.replay.test.ts checks in detail are asserted here; the rest is a report.
 */
import { expect, it } from 'vitest'
import { corpusTranscripts } from '../replay/corpus.ts'
import { driveRecorded } from './replay-driver.ts'
import { runStatuses } from './replay-projection.ts'
import { claudeTranscript } from './testing.ts'

const ASSERTED = ['simple', 'multi_turn', 'turn_interrupt', 'claude_idle_resume']

it('drives every Claude transcript of the corpus and reports the outcome', async () => {
  const rows: Array<{ scenario: string; result: string }> = []
  for (const { scenario } of corpusTranscripts(['claude'])) {
    try {
      const t = await driveRecorded(claudeTranscript(scenario))
      const refused = t.refused.length ? `; ${t.refused.length} runtime events refused` : ''
      rows.push({ scenario, result: `pass (runs ${runStatuses(t.world).join(', ')}${refused})` })
    } catch (error) {
      rows.push({ scenario, result: `fail: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 160)}` })
    }
  }
  const width = Math.max(...rows.map((r) => r.scenario.length))
  console.log(['claude corpus (compatible mode):', ...rows.map((r) => `${r.scenario.padEnd(width)}  ${r.result}`)].join('\n'))
  for (const scenario of ASSERTED) expect(rows.find((r) => r.scenario === scenario)?.result).toMatch(/^pass/)
}, 60_000)
