/**
 * @module `npm run conformance [-- --write]`: replays every `codex` and `claude` transcript of
 * the upstream corpus (LOOM_UPSTREAM_FIXTURES) through the whole system and prints the table
 * scenario x provider -> pass / fail with the reason. `--write` also puts the table into
 * fixtures/CONFORMANCE.md between its markers. Exits 1 when a transcript fails that is not a
 * known failure (scripts/replay/known-failures.ts) or a known failure fails for another reason
 * or passes (move it to the passing list then).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ROOT } from './local-worker.ts'
import { conformanceVerdicts, formatConformanceTable, replaceGenerated } from './replay/conformance-report.ts'
import { corpusDir, runConformance } from './replay/conformance.ts'

const DOC = join(ROOT, 'fixtures', 'CONFORMANCE.md')

const main = async (): Promise<number> => {
  const { values } = parseArgs({ options: { write: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help) {
    process.stdout.write('Usage: npm run conformance [-- --write]\n')
    return 0
  }
  const started = Date.now()
  process.stderr.write(`conformance: replaying ${corpusDir()}\n`)
  const rows = await runConformance({ onRow: (r) => process.stderr.write(`  ${r.scenario}/${r.provider}: ${r.pass ? 'pass' : 'fail'} (${r.ms} ms)\n`) })
  const table = formatConformanceTable(rows)
  process.stdout.write(`${table}\n\nwall time: ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
  if (values.write) {
    writeFileSync(DOC, replaceGenerated(readFileSync(DOC, 'utf8'), table))
    process.stderr.write(`conformance: wrote ${DOC}\n`)
  }
  const wrong = conformanceVerdicts(rows).filter((v) => !v.asExpected)
  for (const v of wrong) process.stderr.write(`conformance: ${v.scenario}/${v.provider}: ${v.problem}\n`)
  return wrong.length === 0 ? 0 : 1
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`conformance: could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  return 1
})
