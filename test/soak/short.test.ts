import { expect, it } from 'vitest'
import { SHORT } from '../../scripts/soak/config.ts'
import { FAULT_KINDS } from '../../scripts/soak/faults.ts'
import { runSoak } from '../../scripts/soak/harness.ts'

/**
 * The short soak (scripts/soak/): the worker in Miniflare, two real runners with the real
 * Codex and Claude Code against the fake model servers, about half a minute of load with every
 * fault kind injected at least once, then the checker. SOAK_SEED repeats a run.
 */
it('should keep every invariant under load and every kind of fault', async () => {
  const seed = process.env.SOAK_SEED ? Number(process.env.SOAK_SEED) : Math.floor(Math.random() * 2 ** 31)
  const result = await runSoak({ ...SHORT, seed }, (line) => console.log(line))
  console.log(result.report)
  for (const kind of FAULT_KINDS) expect(result.faults.get(kind), `fault "${kind}" was never injected (seed ${seed})`).toBeGreaterThan(0)
  expect(result.violations, `seed ${seed}`).toEqual([])
})
