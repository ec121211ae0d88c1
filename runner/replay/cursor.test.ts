import { describe, expect, it } from 'vitest'
import { createVirtualClock } from './clock.ts'
import { createReplayCursor } from './cursor.ts'
import { ReplayExhaustedError, ReplayIncompleteError, ReplayRuntimeExitError, ReplayUnexpectedOutboundError } from './errors.ts'
import { parseTranscript, type Transcript } from './transcript.ts'

const claude = (lines: object[]): Transcript =>
  parseTranscript(
    [{ type: 'transcript_start', provider: 'claudeAgent', protocol: 'claude-agent-sdk.query', version: '0.3.330', scenario: 't' }, ...lines].map((l) => JSON.stringify(l)).join('\n'),
    't.ndjson',
  )

const open = { type: 'query.open', options: { model: 'claude-sonnet-4-6' } }
const offer = { type: 'prompt.offer', message: { type: 'user', message: { role: 'user', content: 'hi' } } }

describe('the replay cursor', () => {
  it('should drain inbound frames on the virtual clock, honouring afterMs without sleeping', async () => {
    const clock = createVirtualClock()
    const cursor = createReplayCursor(
      claude([
        { type: 'expect_outbound', frame: open },
        { type: 'emit_inbound', frame: { type: 'system', subtype: 'init' } },
        { type: 'emit_inbound', frame: { type: 'assistant' }, afterMs: 1000 },
        { type: 'emit_inbound', frame: { type: 'result' }, afterMs: 500 },
        { type: 'runtime_exit', status: 'success' },
      ]),
      { mode: 'strict', clock },
    )
    cursor.expectOutbound(open)
    const got: [string, number][] = []
    const started = Date.now()
    const draining = (async () => {
      for await (const f of cursor.drainInbound()) got.push([(f.frame as { type: string }).type, clock.now()])
    })()
    await clock.advance(0)
    expect(got).toEqual([['system', 0]])
    expect(clock.pending()).toBe(1)
    await clock.advance(999)
    expect(got).toHaveLength(1)
    await clock.advance(1)
    expect(got).toEqual([['system', 0], ['assistant', 1000]])
    await clock.advance(500)
    await draining
    expect(got.at(-1)).toEqual(['result', 1500])
    expect(Date.now() - started).toBeLessThan(500)
    expect(cursor.expectExit()).toMatchObject({ status: 'success' })
    cursor.assertComplete()
  })

  it('should fail with Incomplete listing the entries left', () => {
    const cursor = createReplayCursor(
      claude([
        { type: 'expect_outbound', frame: open },
        { type: 'expect_outbound', label: 'prompt.offer:1', frame: offer },
        { type: 'emit_inbound', frame: { type: 'result' } },
        { type: 'runtime_exit', status: 'success' },
      ]),
      { mode: 'compatible' },
    )
    cursor.expectOutbound(open)
    let error: unknown
    try {
      cursor.assertComplete()
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ReplayIncompleteError)
    expect((error as ReplayIncompleteError).remaining.map((e) => e.line)).toEqual([3, 4, 5])
    expect((error as Error).message).toMatch(/3 recorded entries left unconsumed:\n {2}line 3: expect_outbound prompt.offer/)
  })

  it('should fail with Exhausted, RuntimeExit and UnexpectedOutbound where they apply', () => {
    const cursor = createReplayCursor(
      claude([
        { type: 'expect_outbound', frame: open },
        { type: 'runtime_exit', status: 'error', error: 'boom' },
      ]),
      { mode: 'compatible' },
    )
    expect(() => cursor.expectOutbound(offer)).toThrow(ReplayUnexpectedOutboundError)
    cursor.expectOutbound(open)
    expect(() => cursor.expectOutbound(offer)).toThrow(ReplayRuntimeExitError)
    expect(() => cursor.expectExit()).toThrow(/the recorded runtime failed \(runtime_exit error: boom/)
    expect(() => cursor.expectOutbound(offer)).toThrow(ReplayExhaustedError)
    cursor.assertComplete()
  })

  it('should match a frame the client sends while inbound frames are still being drained', async () => {
    const clock = createVirtualClock()
    const cursor = createReplayCursor(
      claude([
        { type: 'emit_inbound', frame: { type: 'assistant' }, afterMs: 100 },
        { type: 'expect_outbound', frame: { type: 'query.interrupt' } },
        { type: 'emit_inbound', frame: { type: 'result' } },
      ]),
      { mode: 'strict', clock },
    )
    const got: string[] = []
    const draining = (async () => {
      for await (const f of cursor.drainInbound()) got.push((f.frame as { type: string }).type)
    })()
    cursor.expectOutbound({ type: 'query.interrupt' })
    await clock.advance(100)
    await draining
    expect(got).toEqual(['assistant', 'result'])
    cursor.assertComplete()
  })
})
