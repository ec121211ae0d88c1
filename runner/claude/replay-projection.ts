/**
 * @module Test support: what a replayed Claude thread looks like in the domain, read from a
 * ThreadWorld's state (runs, attempts, root nodes, turn items, provider threads), and the
 * recorded prompts of a transcript.
 */
import type { ThreadWorld } from '../../src/domain/testing/decider-spec.ts'
import { runId } from '../../src/domain/testing/steps.ts'
import type { Transcript } from '../replay/index.ts'
import { rec } from './json.ts'

const TERMINAL = new Set(['completed', 'interrupted', 'failed', 'cancelled'])

export const runOf = (world: ThreadWorld, n: number) => world.state.runs.get(runId(n))

export const runEnded = (world: ThreadWorld, n: number): boolean => TERMINAL.has(runOf(world, n)?.status ?? '')

export const runStarted = (world: ThreadWorld, n: number): boolean => {
  const run = runOf(world, n)
  return run?.activeAttemptId != null && world.state.attempts.get(run.activeAttemptId)?.providerTurnId != null
}

/** Run statuses in ordinal order. */
export const runStatuses = (world: ThreadWorld): string[] => [...world.state.runs.values()].sort((a, b) => a.ordinal - b.ordinal).map((r) => r.status)

/** Turn items of run `n` in display order. */
export const itemsOf = (world: ThreadWorld, n: number) =>
  [...world.state.turnItems.values()].filter((i) => i.runId === runId(n)).sort((a, b) => a.ordinal - b.ordinal)

/** The assistant text of run `n`, joined. */
export const assistantText = (world: ThreadWorld, n: number): string =>
  itemsOf(world, n)
    .flatMap((i) => (i.content.type === 'assistant_message' ? [i.content.text] : []))
    .join('\n')

/** The text of each recorded `prompt.offer`, in order. */
export const recordedPrompts = (transcript: Transcript): string[] =>
  transcript.entries.flatMap((e) => {
    if (e.type !== 'expect_outbound' || rec(e.frame).type !== 'prompt.offer') return []
    const content = rec(rec(rec(e.frame).message).message).content
    return [typeof content === 'string' ? content : JSON.stringify(content)]
  })
