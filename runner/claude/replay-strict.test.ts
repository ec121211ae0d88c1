/**
 * @module The Claude replay transport in strict mode and on broken transcripts: a live replay's
 * native log, recorded as a fixture, replays strictly; a corrupted transcript fails the replay
 * with the expected and the actual frame side by side, in both modes; leftovers are reported.
 */
import { describe, expect, it } from 'vitest'
import { dispatch } from '../../src/domain/testing/steps.ts'
import { parseTranscript, recordFixture, type Transcript } from '../replay/index.ts'
import { recordedPrompts, runEnded, runStatuses, assistantText } from './replay-projection.ts'
import { ReplayedThread } from './replay-thread.ts'
import type { ClaudeReplayError } from './replay-failure.ts'
import { claudeTranscript } from './testing.ts'

/** Replays `simple` once in compatible mode and records the live session's native log as our own fixture. */
const ownFixture = async (): Promise<Transcript> => {
  const t = new ReplayedThread(claudeTranscript('simple'), { mode: 'compatible' })
  t.step(dispatch(recordedPrompts(claudeTranscript('simple'))[0]!))
  await t.until('run 1 ends', (w) => runEnded(w, 1))
  await t.finish()
  return parseTranscript(recordFixture(t.nativeTranscript(), { scenario: 'simple' }), 'simple (own)')
}

const failureOf = async (transcript: Transcript, mode: 'strict' | 'compatible', prompt: string): Promise<{ error: ClaudeReplayError; t: ReplayedThread }> => {
  const t = new ReplayedThread(transcript, { mode })
  t.step(dispatch(prompt))
  await t.until('run 1 ends', (w) => runEnded(w, 1)).catch(() => undefined)
  const error = await t.finish().then(() => null, (e: unknown) => e as ClaudeReplayError)
  if (!error) throw new Error('the corrupted transcript replayed without a failure')
  return { error, t }
}

/** A copy of `transcript` with `edit` applied to the frame of its first `prompt.offer`. */
const corruptPrompt = (transcript: Transcript, edit: (frame: Record<string, unknown>) => Record<string, unknown>): Transcript => {
  let done = false
  const entries = transcript.entries.map((e) => {
    if (done || e.type !== 'expect_outbound' || (e.frame as { type?: unknown }).type !== 'prompt.offer') return e
    done = true
    return { ...e, frame: edit(structuredClone(e.frame) as Record<string, unknown>) }
  })
  return { ...transcript, entries }
}

describe('the Claude replay transport, strict mode and failures', () => {
  it('replays our own fixture (a recorded native log) strictly, to the same projection', async () => {
    const fixture = await ownFixture()
    expect(fixture.entries.map((e) => (e.type === 'runtime_exit' ? `exit ${e.status}` : (e.frame as { type: string }).type))).toEqual([
      'query.open', 'prompt.offer', 'system', 'system', 'system', 'assistant', 'rate_limit_event', 'result', 'exit cancelled',
    ])
    const t = new ReplayedThread(fixture, { mode: 'strict' })
    t.step(dispatch(recordedPrompts(fixture)[0]!))
    await t.until('run 1 ends', (w) => runEnded(w, 1))
    await t.finish()
    expect(runStatuses(t.world)).toEqual(['completed'])
    expect(assistantText(t.world, 1)).toBe('fixture simple ok')
  })

  it('strict: a prompt that differs from the fixture fails with both frames side by side', async () => {
    const fixture = await ownFixture()
    const prompt = recordedPrompts(fixture)[0]!
    const corrupted = corruptPrompt(fixture, (f) => JSON.parse(JSON.stringify(f).replace('fixture simple ok', 'fixture corrupted')) as Record<string, unknown>)
    const { error, t } = await failureOf(corrupted, 'strict', prompt)
    expect(error.kind).toBe('FrameMismatch')
    expect(error.message).toContain('transcript line 3')
    expect(error.message).toMatch(/expected\s+actual/)
    expect(error.message).toContain('fixture corrupted')
    expect(error.message).toContain('fixture simple ok')
    // The session saw the failure as its query failing.
    expect(runStatuses(t.world)).toEqual(['failed'])
  })

  it('compatible: an outbound frame of the wrong type fails with both frames side by side', async () => {
    const transcript = claudeTranscript('simple')
    const corrupted = corruptPrompt(transcript, () => ({ type: 'query.interrupt' }))
    const { error } = await failureOf(corrupted, 'compatible', recordedPrompts(transcript)[0]!)
    expect(error.kind).toBe('UnexpectedOutbound')
    expect(error.message).toContain('expected query.interrupt, got prompt.offer')
    expect(error.message).toMatch(/"type": "query.interrupt"[\s\S]*"type": "prompt.offer"/)
  })

  it('reports recorded entries left unconsumed', async () => {
    const transcript = claudeTranscript('multi_turn')
    const t = new ReplayedThread(transcript, { mode: 'compatible' })
    t.step(dispatch(recordedPrompts(transcript)[0]!))
    await t.until('run 1 ends', (w) => runEnded(w, 1))
    await expect(t.finish()).rejects.toMatchObject({ kind: 'Incomplete', message: expect.stringContaining('line 10: expect_outbound prompt.offer') })
  })
})
