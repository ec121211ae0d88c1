/**
 * Provider failures through the whole system, for each provider: the provider process dies
 * mid-turn (the run fails with a provider failure and never stays running; the next message
 * starts a new process on the same provider thread), and the model answers HTTP 500 (the run
 * fails with the error text).
 */
import { describe, expect, it } from 'vitest'
import { PROVIDERS, useProviderE2E } from '../support/provider-e2e.ts'

const e2e = useProviderE2E()

describe.each(PROVIDERS)('%s: failures', (provider) => {
  it('should fail the run with a provider failure when the provider process is killed mid-turn', async () => {
    const t = await e2e().thread(provider)
    await t.send('[[slow]] a long answer')
    await t.run(1, ['running'])
    await t.streaming(3)
    const ref = t.nativeThreadRef()
    const [victim, ...others] = t.providerProcesses()
    expect(victim).toBeDefined()
    expect(others).toEqual([])
    process.kill(victim!.pid, 'SIGKILL')
    const failed = await t.run(1, ['completed', 'failed', 'interrupted'], 10_000)
    expect(failed).toMatchObject({ status: 'failed', failure: { class: expect.stringMatching(/^(provider_error|transport_error)$/) } })
    expect(failed.failure.message.length).toBeGreaterThan(0)
    // The runner lives on and the thread takes the next message on the same provider thread.
    expect(t.runner.child.exitCode).toBeNull()
    await t.send('after the crash')
    const next = await t.run(2, ['completed', 'failed', 'interrupted'])
    expect(next).toMatchObject({ status: 'completed', failure: null })
    const p = await t.expectCleanStream()
    expect(p.providerThreads).toEqual([expect.objectContaining({ nativeThreadRef: ref })])
    expect(t.providerProcesses().map((proc) => proc.pid)).not.toContain(victim!.pid)
    const calls = t.modelCalls()
    expect(calls.map((c) => c.view?.lastUserText)).toEqual(['[[slow]] a long answer', 'after the crash'])
  })

  it('should fail the run with the error text when the model answers HTTP 500', async () => {
    const t = await e2e().thread(provider)
    await t.send('[[fail:500]] please')
    const failed = await t.run(1, ['completed', 'failed', 'interrupted'])
    expect(failed).toMatchObject({ status: 'failed', failure: { class: 'provider_error', retryable: true } })
    // The run carries the error text the provider reported for the call, word for word.
    await expect.poll(() => t.profile.reportedError(t.inboundFrames())).toBeTruthy()
    expect(failed.failure.message).toBe(t.profile.reportedError(t.inboundFrames()))
    // Claude Code passes the API's error body through; Codex 0.169 reports a 500 with its own text.
    if (t.profile.passesErrorBody) expect(failed.failure.message).toContain('scripted failure 500')
    else expect(failed.failure.code).toBe('internalServerError')
    const p = await t.expectCleanStream()
    expect(p.turnItems.filter((i) => i.content.type === 'assistant_message')).toEqual([])
    expect(t.modelCalls().map((c) => c.reply)).toEqual(['fail:500'])
  })
})
