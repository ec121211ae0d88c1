/**
 * @module `afterMs` on the virtual clock: a recorded minute-long pause neither sleeps for real
 * nor lets the frame through before the test advances a manual clock.
 */
import { describe, expect, it, vi } from 'vitest'
import { dispatch } from '../../src/domain/testing/steps.ts'
import { createVirtualClock, type Transcript } from '../replay/index.ts'
import { recordedPrompts, runEnded } from './replay-projection.ts'
import { ReplayedThread } from './replay-thread.ts'
import { claudeTranscript } from './testing.ts'

/** `simple` with its result a minute after the assistant message. */
const delayed = (): Transcript => {
  const t = claudeTranscript('simple')
  return { ...t, entries: t.entries.map((e) => (e.type === 'emit_inbound' && (e.frame as { type?: unknown }).type === 'result' ? { ...e, afterMs: 60_000 } : e)) }
}

describe('afterMs on the virtual clock', () => {
  it('an automatic clock moves by itself: no real waiting', async () => {
    const clock = createVirtualClock({ auto: true })
    const started = Date.now()
    const t = new ReplayedThread(delayed(), { mode: 'compatible', clock })
    t.step(dispatch(recordedPrompts(claudeTranscript('simple'))[0]!))
    await t.until('run 1 ends', (w) => runEnded(w, 1))
    await t.finish()
    expect(clock.now()).toBe(60_000)
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('a manual clock holds the frame until the test advances it', async () => {
    const clock = createVirtualClock()
    const t = new ReplayedThread(delayed(), { mode: 'compatible', clock })
    t.step(dispatch(recordedPrompts(claudeTranscript('simple'))[0]!))
    await vi.waitFor(() => expect(clock.pending()).toBe(1))
    expect(runEnded(t.world, 1)).toBe(false)
    await clock.advance(59_999)
    expect(runEnded(t.world, 1)).toBe(false)
    await clock.advance(1)
    await t.until('run 1 ends', (w) => runEnded(w, 1))
    await t.finish()
  })
})
