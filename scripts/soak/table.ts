/** @module The soak's report: operations by kind, faults injected per kind, invariant violations (0 expected). */
import type { Invariant, Violation } from './checker.ts'

export type Report = {
  title: string
  operations: Array<[string, number]>
  faults: Array<[string, number]>
  tally: Array<[Invariant, number]>
  violations: Violation[]
  notes: string[]
}

const table = (head: [string, string], rows: Array<[string, number | string]>): string[] => {
  const width = Math.max(head[0].length, ...rows.map(([k]) => k.length))
  return [`| ${head[0].padEnd(width)} | ${head[1]} |`, `|${'-'.repeat(width + 2)}|--:|`, ...rows.map(([k, v]) => `| ${k.padEnd(width)} | ${typeof v === 'number' ? v.toLocaleString('en-US') : v} |`)]
}

/** The report as Markdown tables, then up to 5 violations of each invariant, then `N passed, N failed` (one per invariant). */
export const renderReport = (r: Report): string => {
  const failed = r.tally.filter(([, n]) => n > 0).length
  return [
    `## ${r.title}`,
    ...r.notes.map((n) => `- ${n}`),
    '',
    ...table(['operation', 'count'], r.operations),
    '',
    ...table(['fault injected', 'count'], r.faults),
    '',
    ...table(['invariant', 'violations'], r.tally),
    '',
    ...r.tally.flatMap(([name, n]) => [
      ...r.violations.filter((v) => v.invariant === name).slice(0, 5).map((v) => `VIOLATION ${v.invariant}: ${v.detail}`),
      ...(n > 5 ? [`… and ${n - 5} more of "${name}"`] : []),
    ]),
    `${r.tally.length - failed} passed, ${failed} failed`,
  ].join('\n')
}
