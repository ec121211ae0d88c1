/**
 * @module Every codex transcript of the upstream corpus replayed through the real adapter and
 * the thread domain (compatible mode): prints scenario -> pass / fail with the reason. Only the
 * scenarios the transport must already carry are asserted; the share that passes is not yet.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { corpusTranscripts, upstreamCorpusDir } from '../replay/corpus.ts'
import { parseTranscript } from '../replay/index.ts'
import { replayWorld } from './testing/replay-world.ts'
import { checkUpstreamExpectation } from './testing/upstream-expectations.ts'

// Throws (fails the suite, does not skip) when the corpus is absent.
const files = corpusTranscripts(['codex'])
const MUST_PASS = ['multi_turn', 'simple', 'tool_call_read_only_on_request', 'turn_interrupt'] // in corpus order

describe(`codex replay over the upstream corpus (${upstreamCorpusDir()})`, () => {
  it('should print scenario -> pass / fail and pass the required scenarios', async () => {
    const rows: { scenario: string; pass: boolean; reason: string }[] = []
    for (const file of files) {
      const transcript = parseTranscript(readFileSync(file.path, 'utf8'), `${file.scenario}/codex`)
      const result = await replayWorld(transcript, { mode: 'compatible' })
      const reasons = [...result.problems, ...checkUpstreamExpectation(file.scenario, result.projection)]
      rows.push({ scenario: file.scenario, pass: reasons.length === 0, reason: reasons.map((r) => r.split('\n')[0]).join('; ') })
    }
    const width = Math.max(...rows.map((r) => r.scenario.length))
    const passed = rows.filter((r) => r.pass).length
    console.log(
      [`codex corpus: ${passed}/${rows.length} pass`, ...rows.map((r) => `${r.scenario.padEnd(width)}  ${r.pass ? 'pass' : `FAIL  ${r.reason}`}`)].join('\n'),
    )
    expect(rows.length).toBeGreaterThanOrEqual(15)
    expect(rows.filter((r) => MUST_PASS.includes(r.scenario))).toEqual(MUST_PASS.map((scenario) => ({ scenario, pass: true, reason: '' })))
  })
})
