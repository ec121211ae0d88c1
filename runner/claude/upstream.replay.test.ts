/**
 * @module The upstream corpus (LOOM_UPSTREAM_FIXTURES, default ../shared/upstream-fixtures;
 * failing when absent) replayed in compatible mode through the real Claude session, with the
 * domain deciding the effects and folding the runtime events: each scenario must meet the
 * expectation of the corpus README.
 */
import { describe, expect, it } from 'vitest'
import { dispatch, interrupt, system } from '../../src/domain/testing/steps.ts'
import { assistantText, itemsOf, recordedPrompts, runEnded, runOf, runStarted, runStatuses } from './replay-projection.ts'
import { ReplayedThread } from './replay-thread.ts'
import { claudeTranscript } from './testing.ts'

const replayed = (scenario: string) => {
  const transcript = claudeTranscript(scenario)
  return { thread: new ReplayedThread(transcript, { mode: 'compatible' }), prompts: recordedPrompts(transcript) }
}

describe('the upstream Claude corpus through the session and the domain', () => {
  it('simple: one run, completed; assistant text "fixture simple ok"', async () => {
    const { thread: t, prompts } = replayed('simple')
    t.step(dispatch(prompts[0]!))
    await t.until('run 1 ends', (w) => runEnded(w, 1))
    await t.finish()
    expect(runStatuses(t.world)).toEqual(['completed'])
    expect(assistantText(t.world, 1)).toBe('fixture simple ok')
    expect(t.refused).toEqual([])
  })

  it('multi_turn: two completed runs on one provider thread, one query', async () => {
    const { thread: t, prompts } = replayed('multi_turn')
    t.step(dispatch(prompts[0]!))
    await t.until('run 1 ends', (w) => runEnded(w, 1))
    t.step(dispatch(prompts[1]!))
    await t.until('run 2 ends', (w) => runEnded(w, 2))
    await t.finish()
    expect(runStatuses(t.world)).toEqual(['completed', 'completed'])
    expect([assistantText(t.world, 1), assistantText(t.world, 2)]).toEqual(['first fixture turn complete', 'second fixture turn complete'])
    expect(t.world.state.providerThreads.size).toBe(1)
    expect(runOf(t.world, 2)?.providerThreadId).toBe(runOf(t.world, 1)?.providerThreadId)
    expect(t.replay.opens).toHaveLength(1)
    expect(t.refused).toEqual([])
  })

  it('turn_interrupt: run, attempt and root node interrupted; interrupt request and result items', async () => {
    const { thread: t, prompts } = replayed('turn_interrupt')
    t.step(dispatch(prompts[0]!))
    await t.until('run 1 starts its turn', (w) => runStarted(w, 1))
    t.step(interrupt(1))
    await t.until('run 1 ends', (w) => runEnded(w, 1))
    await t.finish()
    const run = runOf(t.world, 1)!
    expect(run.status).toBe('interrupted')
    const attempt = [...t.world.state.attempts.values()].find((a) => a.runId === run.id)!
    expect(attempt.status).toBe('interrupted')
    expect(t.world.state.nodes.get(attempt.rootNodeId)?.status).toBe('interrupted')
    expect(itemsOf(t.world, 1).map((i) => i.content.type)).toEqual(['user_message', 'run_interrupt_request', 'run_interrupt_result'])
    expect(t.refused).toEqual([])
  })

  it('claude_idle_resume: after an idle release the next run reopens with resume, not a new session', async () => {
    const { thread: t, prompts } = replayed('claude_idle_resume')
    t.step(dispatch(prompts[0]!))
    await t.until('run 1 ends', (w) => runEnded(w, 1))
    t.step(system({ type: 'idle.release' }))
    await t.until('the session is released', () => t.events.some((e) => e.type === 'session.released'))
    t.step(dispatch(prompts[1]!))
    await t.until('run 2 ends', (w) => runEnded(w, 2))
    await t.finish()
    expect(runStatuses(t.world)).toEqual(['completed', 'completed'])
    const threads = [...t.world.state.providerThreads.values()]
    expect(threads).toHaveLength(1)
    const native = threads[0]!.nativeThreadRef
    expect(t.replay.opens.map((o) => [o.sessionId, o.resume])).toEqual([
      [native, undefined],
      [undefined, native],
    ])
    expect(assistantText(t.world, 2)).toBe('idle resume second turn complete')
    expect(t.refused).toEqual([])
  })
})
