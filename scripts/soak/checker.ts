/**
 * @module The soak's invariants, checked over a record (pure: no I/O, same record → same
 * verdict). Each violation names its invariant and what broke it.
 */
import { TERMINAL_RUN_STATUSES, type ThreadShell } from '../../src/contracts/index.ts'
import { fold, toShell } from '../../src/domain/thread/index.ts'
import type { SoakRecord, ThreadFinal } from './record.ts'

export const INVARIANTS = [
  'acknowledged command lost',
  'retried command id: not exactly one effect',
  'sequence gap in a thread log',
  'subscriber: event lost, repeated or out of order',
  'run not terminal within the lease after injection stopped',
  'runtime request pending without a live answerer',
  'shell disagrees with its thread',
  'provider process survived a runner kill',
] as const
export type Invariant = (typeof INVARIANTS)[number]

export type Violation = { invariant: Invariant; detail: string }

const ACTIVE: ReadonlySet<string> = new Set(['starting', 'running', 'waiting'])

export const check = (record: SoakRecord): Violation[] => {
  const violations: Violation[] = []
  const add = (invariant: Invariant, detail: string) => violations.push({ invariant, detail })
  const threads = new Map(record.threads.map((t) => [t.threadId, t]))

  for (const t of record.threads) {
    t.events.forEach((e, i) => {
      if (e.sequence !== i + 1) add('sequence gap in a thread log', `${t.threadId}: position ${i + 1} holds sequence ${e.sequence}`)
    })
    if (t.projection.sequence !== t.events.length) add('sequence gap in a thread log', `${t.threadId}: projection at ${t.projection.sequence}, log has ${t.events.length}`)
  }

  for (const c of record.commands) {
    const t = threads.get(c.threadId)
    const acked = c.attempts.filter((a) => a.status === 200)
    const own = t?.events.filter((e) => e.commandId === c.commandId) ?? []
    if (acked.length > 0 && own.length === 0) add('acknowledged command lost', `${c.type} ${c.commandId} on ${c.threadId}: answered ${acked[0]!.sequence}, no event carries it`)
    const sequences = own.map((e) => e.sequence)
    const contiguous = sequences.every((s, i) => i === 0 || s === sequences[i - 1]! + 1)
    if (!contiguous) add('retried command id: not exactly one effect', `${c.commandId} on ${c.threadId}: events at ${sequences.join(',')} (more than one commit)`)
    const answers = new Set(acked.map((a) => a.sequence))
    if (answers.size > 1) add('retried command id: not exactly one effect', `${c.commandId}: ${c.attempts.length} attempts answered different sequences ${[...answers].join(',')}`)
    const last = sequences.at(-1)
    if (acked.length > 0 && last !== undefined && acked[0]!.sequence !== last) add('acknowledged command lost', `${c.commandId}: answered sequence ${acked[0]!.sequence}, its events end at ${last}`)
  }

  for (const s of record.subscribers) {
    const t = threads.get(s.threadId)
    if (!t) continue
    let previousLast: number | null = null
    for (const [n, session] of s.sessions.entries()) {
      let expected = session.from
      if (session.resumes && previousLast !== null && session.from !== previousLast + 1) {
        add('subscriber: event lost, repeated or out of order', `${s.id} session ${n}: resumed at ${session.from} after ${previousLast}`)
      }
      for (const e of session.events) {
        const stored = t.events[e.sequence - 1]
        if (e.sequence !== expected) add('subscriber: event lost, repeated or out of order', `${s.id} session ${n}: got ${e.sequence}, expected ${expected}`)
        else if (stored?.eventId !== e.eventId) add('subscriber: event lost, repeated or out of order', `${s.id}: sequence ${e.sequence} delivered ${e.eventId}, the log holds ${stored?.eventId ?? 'nothing'}`)
        expected = e.sequence + 1
      }
      if (session.liveAtEnd && expected - 1 < t.events.length) add('subscriber: event lost, repeated or out of order', `${s.id}: live at the end at ${expected - 1}, the log reached ${t.events.length}`)
      previousLast = expected - 1
    }
  }

  if (record.settle.settledMs === null) {
    for (const t of record.threads) {
      for (const r of t.projection.runs) {
        if (!TERMINAL_RUN_STATUSES.includes(r.status)) add('run not terminal within the lease after injection stopped', `${t.threadId} run ${r.ordinal}: ${r.status} after ${record.settle.boundMs} ms`)
      }
    }
  }

  const live = new Set(record.liveRunners)
  for (const t of record.threads) {
    for (const q of t.projection.runtimeRequests) {
      if (q.status !== 'pending') continue
      const run = t.projection.runs.find((r) => r.id === q.runId)
      if (!run || !ACTIVE.has(run.status) || !live.has(t.workspaceId) || q.responseCapability.type !== 'live') add('runtime request pending without a live answerer', `${t.threadId} request ${q.id}: run ${run?.status ?? 'missing'}, runner ${live.has(t.workspaceId) ? 'live' : 'gone'}, answerable ${q.responseCapability.type}`)
    }
  }

  for (const t of record.threads) {
    const mismatch = shellMismatch(t)
    if (mismatch) add('shell disagrees with its thread', `${t.threadId}: ${mismatch}`)
  }

  for (const k of record.runnerKills) {
    if (k.survivors.length > 0) add('provider process survived a runner kill', `runner ${k.pid} of ${k.workspaceId}: ${k.survivors.join('; ')}`)
  }
  return violations
}

/**
 * Where the workspace's summary differs from the thread's own log. The object pushes a summary
 * only when something but its sequence and time changed, so the shell may carry an earlier
 * sequence: it must be exactly the summary folded at that sequence, and say what the summary
 * folded at the end says.
 */
export const shellMismatch = (t: ThreadFinal): string | null => {
  const n = t.events.length
  if (n === 0) return null
  if (!t.shell) return 'missing from the shell'
  if (t.shell.sequence > n) return `shell at sequence ${t.shell.sequence}, the log ends at ${n}`
  const firstDifference = (expected: ThreadShell, keys: Array<keyof ThreadShell>): string | null => {
    for (const key of keys) {
      const a = JSON.stringify(expected[key])
      const b = JSON.stringify(t.shell![key])
      if (a !== b) return `${key}: shell ${b}, thread ${a}`
    }
    return null
  }
  const final = toShell(fold(t.events.map((e) => e.event)), n)
  const content = (Object.keys(final) as Array<keyof ThreadShell>).filter((k) => k !== 'sequence' && k !== 'updatedAt')
  const stale = firstDifference(final, content)
  if (stale) return `at the end, ${stale}`
  const atShell = toShell(fold(t.events.slice(0, t.shell.sequence).map((e) => e.event)), t.shell.sequence)
  const wrong = firstDifference(atShell, Object.keys(atShell) as Array<keyof ThreadShell>)
  return wrong ? `at sequence ${t.shell.sequence}, ${wrong}` : null
}

/** Violations counted per invariant, every invariant listed (0 expected). */
export const tally = (violations: Violation[]): Array<[Invariant, number]> =>
  INVARIANTS.map((name) => [name, violations.filter((v) => v.invariant === name).length])
