/**
 * The life of a provider session across releases and runner processes, for each provider:
 * the thread's idle release closes it and the next message resumes the same provider thread
 * with its history; a runner killed with SIGKILL mid-turn loses its run within the lease,
 * leaves no provider process behind, and a new runner resumes the provider thread.
 */
import { describe, expect, it } from 'vitest'
import { IDLE_SECONDS, LEASE_SECONDS, PROVIDERS, useProviderE2E, awaitGone, killRunnerAlone } from '../support/provider-e2e.ts'

const e2e = useProviderE2E()

const text = (history: Array<{ text: string }> | undefined) => (history ?? []).map((h) => h.text)

describe.each(PROVIDERS)('%s: sessions across releases and runners', (provider) => {
  it('should release an idle session and resume the provider thread, with its history, on the next message', async () => {
    const t = await e2e().thread(provider)
    await t.send('first message')
    await t.run(1, ['completed'])
    const ref = t.nativeThreadRef()
    expect(t.providerProcesses().length).toBeGreaterThan(0)
    // The thread decides the release (a session.close effect); the runner carries it out.
    const released = await t.subscriber.until(() => t.projection().providerSessions.find((s) => s.status === 'stopped'), (IDLE_SECONDS + 5) * 1000)
    expect(released).toMatchObject({ provider, releaseReason: 'idle_timeout' })
    await t.runner.line((l) => l.msg === 'session closed' && l.reason === 'idle_timeout')
    expect(t.providerProcesses()).toEqual([])
    await t.send('second message')
    const second = await t.run(2, ['completed', 'failed', 'interrupted'])
    expect(second).toMatchObject({ status: 'completed', failure: null })
    const p = await t.expectCleanStream()
    expect(p.providerThreads).toEqual([expect.objectContaining({ nativeThreadRef: ref })])
    await expect.poll(() => t.outboundFrames().map(t.profile.resumes).filter(Boolean)).toEqual([ref])
    const calls = t.modelCalls()
    expect(calls).toHaveLength(2)
    expect(text(calls[1]!.view?.history)).toEqual(expect.arrayContaining(['first message', 'reply 1: first message', 'second message']))
  })

  it('should end the run of a SIGKILLed runner as runner_lost within the lease, leave no provider process, and resume after a restart', async () => {
    const t = await e2e().thread(provider)
    await t.send('[[slow]] a long answer')
    await t.run(1, ['running'])
    await t.streaming(3)
    const ref = t.nativeThreadRef()
    expect(t.providerProcesses().length).toBeGreaterThan(0)
    const spawned = await killRunnerAlone(t.runner)
    const killedAt = Date.now()
    expect(spawned.filter(t.profile.isProviderProcess).length).toBeGreaterThan(0)
    // Nothing the runner started outlives it: not the provider, not anything in its process group.
    expect(await awaitGone(spawned, 3000)).toEqual([])
    const lost = await t.run(1, ['completed', 'failed', 'interrupted'], (LEASE_SECONDS + 5) * 1000)
    expect(lost).toMatchObject({ status: 'interrupted', failure: { class: 'runner_lost' } })
    // The lease counts from the runner's last ping (every 500 ms); the alarm may fire a little late.
    expect(Date.now() - killedAt).toBeLessThan(LEASE_SECONDS * 1000 + 2000)
    await t.startRunner()
    await t.send('after the restart')
    const next = await t.run(2, ['completed', 'failed', 'interrupted'])
    expect(next).toMatchObject({ status: 'completed', failure: null })
    const p = await t.expectCleanStream()
    expect(p.providerThreads).toEqual([expect.objectContaining({ nativeThreadRef: ref })])
    await expect.poll(() => t.outboundFrames().map(t.profile.resumes).filter(Boolean)).toEqual([ref])
    const calls = t.modelCalls()
    expect(calls.map((c) => c.view?.lastUserText)).toEqual(['[[slow]] a long answer', 'after the restart'])
    expect(text(calls[1]!.view?.history)).toContain('[[slow]] a long answer')
  })
})
