/**
 * @module `npm run soak` (full size) and `npm run soak -- --short` (about a minute): the fault and
 * load harness of scripts/soak/. `--seed N` repeats a run. Prints the report; exits 1 on any
 * invariant violation.
 */
import { parseArgs } from 'node:util'
import { FULL, SHORT } from './soak/config.ts'
import { runSoak } from './soak/harness.ts'

const { values } = parseArgs({ options: { short: { type: 'boolean' }, seed: { type: 'string' } } })
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31)
if (!Number.isInteger(seed) || seed < 0) {
  console.error('--seed must be a non-negative integer')
  process.exit(2)
}
const config = { ...(values.short ? SHORT : FULL), seed }
const result = await runSoak(config, (line) => console.log(line))
console.log(result.report)
process.exit(result.violations.length === 0 ? 0 : 1)
