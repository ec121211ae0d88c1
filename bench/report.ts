/** @module The results table, printed and written to BENCHMARKS.md with machine, versions and method. */
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, release, totalmem } from 'node:os'
import { join } from 'node:path'

export type Row = {
  scenario: string
  metric: string
  loom: number
  baseline: number | null
  /** How the ratio reads: Loom/baseline for latency and CPU, Loom/baseline throughput for rates. */
  ratio: number | null
  target: string
  met: boolean | null
  unit: string
}

const fmt = (n: number | null, unit = ''): string => {
  if (n === null || Number.isNaN(n)) return '–'
  const abs = Math.abs(n)
  const s = abs >= 1000 ? Math.round(n).toLocaleString('en-US') : abs >= 100 ? n.toFixed(0) : abs >= 10 ? n.toFixed(1) : abs >= 1 ? n.toFixed(2) : n.toFixed(3)
  return unit ? `${s} ${unit}` : s
}

export const table = (rows: Row[]): string => {
  const lines = ['| scenario | metric | Loom | baseline | Loom / baseline | target | met |', '|---|---|--:|--:|--:|---|---|']
  for (const r of rows) {
    const met = r.met === null ? '' : r.met ? 'yes' : '**no**'
    lines.push(`| ${r.scenario} | ${r.metric} | ${fmt(r.loom, r.unit)} | ${fmt(r.baseline, r.unit)} | ${r.ratio === null ? '–' : r.ratio.toFixed(2)} | ${r.target} | ${met} |`)
  }
  return lines.join('\n')
}

const version = (root: string, pkg: string): string => {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version
  } catch {
    return '?'
  }
}

export const environment = (root: string): string => {
  const cpu = cpus()
  const versions = ['workerd', 'miniflare', 'wrangler', 'hono', 'zod', 'drizzle-orm'].map((p) => `${p} ${version(root, p)}`).join(', ')
  return [
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${cpu[0]?.model ?? '?'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${release()}`,
    `- Node ${process.version}; ${versions}`,
  ].join('\n')
}

/** Everything from this line on in BENCHMARKS.md is hand-written analysis, kept across runs. */
export const FINDINGS_MARKER = '<!-- findings: written by hand, kept by bench/run.ts -->'

/** BENCHMARKS.md, or the file BENCH_OUT names (for A/B runs of other builds). */
export const writeReport = (root: string, body: string): string => {
  const path = process.env.BENCH_OUT ?? join(root, 'BENCHMARKS.md')
  let kept = ''
  try {
    const previous = readFileSync(path, 'utf8')
    const at = previous.indexOf(FINDINGS_MARKER)
    if (at >= 0) kept = `\n${previous.slice(at)}`
  } catch {
    // No previous report.
  }
  writeFileSync(path, body + kept)
  return path
}
