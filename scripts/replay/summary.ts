/** @module A readable summary of a replayed thread projection: runs, turn items, requests, subagents, forks, failures. */
import type { ThreadProjection, TurnItem } from '../../src/contracts/index.ts'
import type { SystemReplayResult } from './harness.ts'

const clip = (text: string, max = 100): string => {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

const itemLine = (item: TurnItem): string => {
  const c = item.content
  const detail =
    c.type === 'user_message' || c.type === 'assistant_message' || c.type === 'reasoning'
      ? JSON.stringify(clip(c.text))
      : c.type === 'command_execution'
        ? `${clip(c.command, 60)} (exit ${String(c.exitCode)})`
        : c.type === 'error'
          ? `${c.failure.class}: ${clip(c.failure.message)}`
          : c.type === 'generic'
            ? `${c.nativeType}: ${clip(c.summary, 60)}`
            : ''
  return `      ${item.ordinal}. ${c.type} [${item.status}]${detail ? ` ${detail}` : ''}`
}

const runsBlock = (p: ThreadProjection): string[] =>
  [...p.runs]
    .sort((a, b) => a.ordinal - b.ordinal)
    .flatMap((run) => [
      `  run ${run.ordinal}: ${run.status}${run.failure ? ` (${run.failure.class}: ${clip(run.failure.message)})` : ''}`,
      ...p.turnItems
        .filter((i) => i.runId === run.id)
        .sort((a, b) => a.ordinal - b.ordinal)
        .map(itemLine),
    ])

export const formatSummary = (name: string, r: SystemReplayResult): string => {
  const p = r.projection
  const lines = [`${name} (${r.provider}): ${r.events.length} events, sequence ${p.sequence}`, `runs (${p.runs.length}):`, ...runsBlock(p)]
  lines.push(`runtime requests (${p.runtimeRequests.length}):`)
  for (const q of p.runtimeRequests) lines.push(`  ${q.kind}: ${q.status}`)
  lines.push(`subagents (${p.subagents.length}):`)
  for (const s of p.subagents) lines.push(`  ${s.title ?? clip(s.prompt, 60)}: ${s.status}`)
  lines.push(`forks (${r.forks.length}):`)
  for (const f of r.forks) lines.push(`  ${f.threadId}: runs (${f.projection.runs.length}):`, ...runsBlock(f.projection).map((l) => `  ${l}`))
  const failures = p.runs.filter((run) => run.failure !== null)
  lines.push(`failures (${failures.length + r.problems.length + r.violations.length}):`)
  for (const run of failures) lines.push(`  run ${run.ordinal}: ${run.failure!.class}: ${clip(run.failure!.message, 200)}`)
  for (const problem of r.problems) lines.push(`  replay: ${problem}`)
  for (const violation of r.violations) lines.push(`  invariant: ${violation}`)
  return lines.join('\n')
}
