/**
 * @module What every replayed thread must satisfy once the transcript has ended: stored events
 * numbered exactly 1..n in stream order, every run terminal, no orphan node, subagent, item or
 * request (its run or parent missing; a fork's inherited items belong to its source), and no runtime request neither resolved nor expired.
 */
import { TERMINAL_RUN_STATUSES, type StoredEvent, type ThreadProjection } from '../../src/contracts/index.ts'

/**
 * Runs not terminal in `atEnd`, the projection when the transcript ended (before the runner
 * shuts down, which would interrupt them itself).
 */
export const openRuns = (atEnd: ThreadProjection): string[] =>
  atEnd.runs.filter((run) => !TERMINAL_RUN_STATUSES.includes(run.status)).map((run) => `run ${run.ordinal} (${run.id}) is left ${run.status} after the transcript ended`)

/** The broken invariants, one readable line each; empty when the thread is sound. */
export const invariantViolations = (events: readonly StoredEvent[], p: ThreadProjection, atEnd: ThreadProjection = p): string[] => {
  const problems: string[] = openRuns(atEnd)
  const sequences = events.map((e) => e.sequence)
  const firstOff = sequences.findIndex((s, i) => s !== i + 1)
  if (firstOff >= 0) problems.push(`sequences are not exactly 1..${sequences.length}: position ${firstOff + 1} holds ${sequences[firstOff]}`)
  if (new Set(events.map((e) => e.eventId)).size !== events.length) problems.push('an event was delivered twice')
  const runs = new Set(p.runs.map((r) => r.id))
  const nodes = new Set([...p.nodes.map((n) => n.id), ...p.subagents.map((s) => s.id)])
  const items = new Set(p.turnItems.map((i) => i.id))
  for (const n of p.nodes) {
    if (n.runId !== null && !runs.has(n.runId)) problems.push(`orphan node ${n.id}: run ${n.runId} does not exist`)
    if (n.parentNodeId !== null && !nodes.has(n.parentNodeId)) problems.push(`orphan node ${n.id}: parent ${n.parentNodeId} does not exist`)
  }
  for (const s of p.subagents) {
    if (s.runId !== null && !runs.has(s.runId)) problems.push(`orphan subagent ${s.id}: run ${s.runId} does not exist`)
    if (!nodes.has(s.parentNodeId)) problems.push(`orphan subagent ${s.id}: parent ${s.parentNodeId} does not exist`)
  }
  // An inherited item (a fork's copy of its source's history) names the source thread's run and node.
  for (const i of p.turnItems.filter((item) => item.visibility !== 'inherited')) {
    if (i.runId !== null && !runs.has(i.runId)) problems.push(`orphan item ${i.id}: run ${i.runId} does not exist`)
    if (i.nodeId !== null && !nodes.has(i.nodeId)) problems.push(`orphan item ${i.id}: node ${i.nodeId} does not exist`)
    if (i.parentItemId !== null && !items.has(i.parentItemId)) problems.push(`orphan item ${i.id}: parent item ${i.parentItemId} does not exist`)
  }
  for (const r of p.runtimeRequests) {
    if (!runs.has(r.runId)) problems.push(`orphan runtime request ${r.id}: run ${r.runId} does not exist`)
    if (r.status !== 'resolved' && r.status !== 'expired') problems.push(`runtime request ${r.id} (${r.kind}) is ${r.status}: neither resolved nor expired`)
  }
  return problems
}
