/**
 * @module Plays the steps of a lineage scenario (fixtures/scenarios/lineage) through the worker's
 * API, as a user would: one SystemThread per scenario thread, each step waiting for what it
 * causes (a run's end, a fork's existence, a merge-back's delivery, a switch, a rollback's
 * landing). The same executor records (real providers) and replays (replay transports), so both
 * send the same commands in the same order.
 */
import { TERMINAL_RUN_STATUSES, type ThreadProjection } from '../../src/contracts/index.ts'
import { MODEL } from '../../src/domain/testing/steps.ts'
import type { FixtureProvider, LineageScenario, LineageStep, ThreadName } from '../../fixtures/scenarios/lineage/types.ts'
import { SystemThread } from './thread.ts'

export type LineageThreads = Map<ThreadName, SystemThread>

export type LineageRunOptions = {
  base: string
  token: string
  workspaceId: string
  /** Thread ids are `<idPrefix>-<thread name>`. */
  idPrefix: string
  /** The provider `main` is created with. */
  provider: FixtureProvider
  /** How long one step may wait (real providers are slower than a replay). */
  waitMs: number
  /** Waited before each step, so it lands at the same place in the provider's frame stream every time. */
  settle: (threads: SystemThread[]) => Promise<void>
}

const TERMINAL = new Set<string>(TERMINAL_RUN_STATUSES)
const runsOf = (p: ThreadProjection) => [...p.runs].sort((a, b) => a.ordinal - b.ordinal)

export const threadIdOf = (idPrefix: string, name: ThreadName): string => `${idPrefix}-${name}`

/** Thread ids of a recording are `<scenario>-rec-<thread>`; a replay on a shared worker uses its own tag instead of `rec`. */
export const RECORDED_TAG = 'rec'
export const lineageIdPrefix = (scenario: LineageScenario, tag: string): string => `${scenario.name.replace(/_/g, '-')}-${tag}`

const ok = async (sent: Promise<{ status: number; body: unknown }>, what: string): Promise<void> => {
  const reply = await sent
  if (reply.status !== 200) throw new Error(`${what} refused (${reply.status}): ${JSON.stringify(reply.body)}`)
}

/** Creates `main`, then plays every step; `threads` is filled as threads appear (the caller closes them). */
export async function runLineageSteps(scenario: LineageScenario, opts: LineageRunOptions, threads: LineageThreads): Promise<void> {
  const main = new SystemThread(opts.base, opts.token, threadIdOf(opts.idPrefix, 'main'), `cmd-${threadIdOf(opts.idPrefix, 'main')}`)
  threads.set('main', main)
  await ok(main.command({ type: 'thread.create', workspaceId: opts.workspaceId, title: scenario.name, modelSelection: MODEL[opts.provider] }), 'thread.create')
  await main.subscribe()
  /** Fork name -> the thread it was forked from. */
  const sources = new Map<ThreadName, SystemThread>()
  const named = (name: ThreadName): SystemThread => {
    const t = threads.get(name)
    if (!t) throw new Error(`${scenario.name}: no thread ${name} (yet)`)
    return t
  }
  const wait = <T>(t: SystemThread, what: string, find: (p: ThreadProjection) => T | undefined | null | false) => t.until(`${scenario.name}: ${what}`, find, opts.waitMs)

  const step = async (s: LineageStep): Promise<void> => {
    switch (s.kind) {
      case 'send': {
        const t = named(s.thread)
        const ordinal = t.projection().runs.length + 1
        await ok(t.command({ type: 'message.dispatch', text: s.text }), `message.dispatch on ${s.thread}`)
        await wait(t, `run ${ordinal} of ${s.thread} ends`, (p) => TERMINAL.has(runsOf(p)[ordinal - 1]?.status ?? ''))
        return
      }
      case 'fork': {
        const source = named(s.from)
        const run = s.at === 'latest' ? undefined : runsOf(source.projection())[s.at.run - 1]
        if (s.at !== 'latest' && !run) throw new Error(`${scenario.name}: ${s.from} has no run ${s.at.run} to fork at`)
        const fork = await source.fork(threadIdOf(opts.idPrefix, s.as), run ? { type: 'run', runId: run.id } : { type: 'latest_stable' })
        threads.set(s.as, fork)
        sources.set(s.as, source)
        // The source records the transfer too: let it land before the next step touches the source.
        await wait(source, `${s.from} records the fork ${s.as}`, (p) => p.contextTransfers.some((c) => c.type === 'fork' && c.targetThreadId === fork.threadId && c.status !== 'pending'))
        return
      }
      case 'merge_back': {
        const fork = named(s.from)
        const target = sources.get(s.from)
        if (!target) throw new Error(`${scenario.name}: ${s.from} is not a fork`)
        await ok(fork.command({ type: 'thread.merge_back', targetThreadId: target.threadId }), `thread.merge_back of ${s.from}`)
        await wait(target, `the merge-back of ${s.from} is delivered`, (p) => p.contextTransfers.some((c) => c.type === 'merge_back' && c.sourceThreadId === fork.threadId && c.status === 'delivered'))
        return
      }
      case 'switch': {
        const t = named(s.thread)
        await ok(t.command({ type: 'thread.model-selection.set', modelSelection: MODEL[s.provider] }), `thread.model-selection.set on ${s.thread}`)
        await wait(t, `${s.thread} switches to ${s.provider}`, (p) => p.thread?.modelSelection.provider === s.provider)
        return
      }
      case 'rollback': {
        const t = named(s.thread)
        const checkpoint = await wait(t, `the checkpoint after run ${s.toRun} of ${s.thread}`, (p) => p.checkpoints.find((c) => c.appRunOrdinal === s.toRun && c.status === 'ready'))
        await ok(t.command({ type: 'checkpoint.rollback', checkpointId: checkpoint.id }), `checkpoint.rollback on ${s.thread}`)
        await wait(t, `the runs of ${s.thread} after run ${s.toRun} are rolled back`, (p) => runsOf(p).slice(s.toRun).every((r) => r.status === 'rolled_back'))
        return
      }
    }
  }

  for (const s of scenario.steps) {
    await opts.settle([...threads.values()])
    await step(s)
  }
  await opts.settle([...threads.values()])
}
