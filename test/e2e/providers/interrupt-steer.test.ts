/**
 * Acting on a turn while it streams, for each provider: an interrupt ends the run
 * `interrupted` with the text streamed so far, and a steer adds a message to the running turn
 * (Codex natively with `turn/steer`, Claude with a user message of priority "now"), which the
 * model then answers within the same run.
 */
import { describe, expect, it } from 'vitest'
import { PROVIDERS, useProviderE2E } from '../support/provider-e2e.ts'

const e2e = useProviderE2E()

describe.each(PROVIDERS)('%s: interrupt and steer', (provider) => {
  it('should interrupt a turn mid-stream (turns.supportsInterrupt)', async () => {
    const t = await e2e().thread(provider)
    expect(t.profile.capabilities.turns.supportsInterrupt).toBe(true)
    await t.send('[[slow]] talk slowly')
    const run = await t.run(1, ['running'])
    await t.streaming(3)
    const asked = Date.now()
    await t.interrupt(run.id)
    const ended = await t.run(1, ['completed', 'failed', 'interrupted'], 10_000)
    expect(ended).toMatchObject({ status: 'interrupted', interruptRequestedBy: expect.anything() })
    // Well before the slow reply (150 deltas, 6 s) would have ended by itself.
    expect(Date.now() - asked).toBeLessThan(4000)
    await t.expectCleanStream()
    const [text] = t.items(1, 'assistant_message')
    expect(text.status).not.toBe('running')
    expect(text.content.text).toMatch(/^tick tick tick/)
    expect(text.content.text).not.toContain('reply 1')
    expect(t.modelCalls()).toHaveLength(1)
  })

  it('should steer a running turn with a second message, answered in the same run (turns.supportsActiveSteering)', async () => {
    const t = await e2e().thread(provider)
    expect(t.profile.capabilities.turns.supportsActiveSteering).toBe(true)
    await t.send('[[slow]] first prompt')
    const run = await t.run(1, ['running'])
    await t.streaming(3)
    await t.send('steer message', { type: 'steer_active', targetRunId: run.id })
    const ended = await t.run(1, ['completed', 'failed', 'interrupted'], 20_000)
    expect(ended).toMatchObject({ status: 'completed', failure: null })
    const p = await t.expectCleanStream()
    // One run: the steer joined it, it did not start a second one.
    expect(p.runs).toHaveLength(1)
    expect(p.messages.filter((m) => m.role === 'user').map((m) => m.text)).toEqual(['[[slow]] first prompt', 'steer message'])
    // Steered natively, not by interrupting and restarting the turn (the native log is written every 100 ms).
    await expect.poll(() => t.outboundFrames().filter(t.profile.steers).length).toBe(1)
    expect(p.attempts.map((a) => a.reason)).toEqual(['initial'])
    const texts = t.items(1, 'assistant_message').map((i) => i.content.text)
    expect(texts.at(-1)).toBe('reply 2: steer message')
    const calls = t.modelCalls()
    expect(calls.map((c) => c.view?.lastUserText)).toEqual(['[[slow]] first prompt', 'steer message'])
    expect(calls[1]!.view!.history.map((h) => h.text)).toEqual(expect.arrayContaining(['[[slow]] first prompt', 'steer message']))
  })
})
