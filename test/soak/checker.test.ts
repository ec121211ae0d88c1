import { describe, expect, it } from 'vitest'
import { StoredEvent } from '../../src/contracts/index.ts'
import { ThreadWorld } from '../../src/domain/testing/decider-spec.ts'
import { THREAD, WORKSPACE, command, completedRun, create, linked } from '../../src/domain/testing/steps.ts'
import { fold, toProjection, toShell } from '../../src/domain/thread/index.ts'
import { check, tally } from '../../scripts/soak/checker.ts'
import type { SoakRecord } from '../../scripts/soak/record.ts'

/**
 * A clean record built from a real thread history (the domain's own decider): one thread with
 * a completed run, a title change retried twice, a subscriber that saw everything over two
 * sockets (a resume in between), a runner kill with no survivor.
 */
const cleanRecord = (): SoakRecord => {
  const world = new ThreadWorld()
  const steps = [create(), linked(), ...completedRun(1), command({ type: 'thread.metadata.update', title: 'renamed', commandId: 'cmd-title' })]
  const commandOf: Array<string | null> = []
  for (const step of steps) {
    const before = world.sequence
    const outcome = world.apply(step)
    if (!outcome.ok) throw new Error(outcome.error.message)
    for (let i = before; i < world.sequence; i++) commandOf.push('command' in step ? (step.command as { commandId: string }).commandId : null)
  }
  const events = world.log.map((event, i) => StoredEvent.parse({ sequence: i + 1, eventId: `ev-${i + 1}`, threadId: THREAD, commandId: commandOf[i] ?? null, actor: 'user:alice', occurredAt: 1_000, event }))
  const n = events.length
  const state = fold(events.map((e) => e.event))
  const seen = events.map((e) => ({ sequence: e.sequence, eventId: e.eventId }))
  const titleAt = events.filter((e) => e.commandId === 'cmd-title').at(-1)!.sequence
  return {
    commands: [{ commandId: 'cmd-title', threadId: THREAD, type: 'thread.metadata.update', attempts: [{ status: null, sequence: null, code: null }, { status: 200, sequence: titleAt, code: null }, { status: 200, sequence: titleAt, code: null }] }],
    subscribers: [
      {
        id: 'sub-0',
        threadId: THREAD,
        sessions: [
          { from: 1, resumes: false, events: seen.slice(0, 3), liveAtEnd: false },
          { from: 4, resumes: true, events: seen.slice(3), liveAtEnd: true },
        ],
      },
    ],
    threads: [{ threadId: THREAD, workspaceId: WORKSPACE, events, projection: toProjection(state, n), shell: toShell(state, n) }],
    runnerKills: [{ workspaceId: WORKSPACE, pid: 1234, providers: 1, survivors: [] }],
    settle: { boundMs: 25_000, settledMs: 1_200 },
    liveRunners: [WORKSPACE],
  }
}

describe('soak checker', () => {
  it('should pass a clean record', () => {
    const record = cleanRecord()
    expect(record.threads[0]!.events.length).toBeGreaterThan(5)
    expect(check(record)).toEqual([])
  })

  it('should fail a record with a lost event and a duplicate delivery', () => {
    const record = cleanRecord()
    const session = record.subscribers[0]!.sessions[1]!
    const lost = session.events.splice(1, 1)[0]!
    session.events.push({ ...session.events.at(-1)! })
    const violations = check(record)
    const counts = Object.fromEntries(tally(violations))
    expect(counts['subscriber: event lost, repeated or out of order']).toBeGreaterThanOrEqual(2)
    expect(violations.map((v) => v.detail).join('\n')).toContain(`expected ${lost.sequence}`)
  })

  it('should fail when an acknowledged command has no event, or a retried one took effect twice', () => {
    const lostRecord = cleanRecord()
    lostRecord.threads[0]!.events = lostRecord.threads[0]!.events.filter((e) => e.commandId !== 'cmd-title')
    expect(check(lostRecord).map((v) => v.invariant)).toContain('acknowledged command lost')

    const twice = cleanRecord()
    const events = twice.threads[0]!.events
    events[2] = StoredEvent.parse({ ...events[2]!, commandId: 'cmd-title' })
    expect(check(twice).map((v) => v.invariant)).toContain('retried command id: not exactly one effect')
  })

  it('should fail a gap in a log, a run left active, a pending request, a stale shell and a surviving provider', () => {
    const record = cleanRecord()
    const t = record.threads[0]!
    t.events = [...t.events.slice(0, 2), ...t.events.slice(3)]
    t.projection = { ...t.projection, runs: t.projection.runs.map((r) => ({ ...r, status: 'running' as const })) }
    record.settle.settledMs = null
    const pending = { id: 'req-1', runId: t.projection.runs[0]!.id, status: 'pending', responseCapability: { type: 'not_resumable', reason: 'runner_lost' } }
    t.projection.runtimeRequests = [pending as unknown as (typeof t.projection.runtimeRequests)[number]]
    t.shell = { ...t.shell!, title: 'stale title' }
    record.runnerKills[0]!.survivors = ['4321 codex app-server']
    const invariants = new Set(check(record).map((v) => v.invariant))
    expect(invariants).toEqual(new Set(['sequence gap in a thread log', 'run not terminal within the lease after injection stopped', 'shell disagrees with its thread', 'provider process survived a runner kill', 'subscriber: event lost, repeated or out of order', 'runtime request pending without a live answerer']))
  })
})
