/**
 * Ordinary turns through the whole system, for each provider: the worker in Miniflare, a real
 * `loom-runner`, the real provider binary, the fake model server. Text, several turns of one
 * conversation, a file change, and a message queued behind a running turn.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PROVIDERS, useProviderE2E } from '../support/provider-e2e.ts'

const e2e = useProviderE2E()

describe.each(PROVIDERS)('%s: turns', (provider) => {
  it('should stream a text turn to the subscriber and complete the run', async () => {
    const t = await e2e().thread(provider)
    await t.send('hello there')
    const run = await t.run(1, ['completed', 'failed', 'interrupted'])
    expect(run).toMatchObject({ status: 'completed', failure: null, provider })
    const p = await t.expectCleanStream()
    const [reply] = t.items(1, 'assistant_message')
    expect(reply).toMatchObject({ status: 'completed', content: { text: 'reply 1: hello there' } })
    // The reply reached the subscriber as streamed text first, all of it.
    expect(t.streamed(reply.id)).toBe('reply 1: hello there')
    expect(p.messages.map((m) => [m.role, m.text])).toEqual([
      ['user', 'hello there'],
      ['assistant', 'reply 1: hello there'],
    ])
    expect(p.providerThreads).toEqual([expect.objectContaining({ provider, nativeThreadRef: expect.any(String) })])
    const calls = t.modelCalls()
    expect(calls.map((c) => c.view?.lastUserText)).toEqual(['hello there'])
  })

  it('should carry the conversation across turns: the model sees the history', async () => {
    const t = await e2e().thread(provider)
    await t.send('first message')
    await t.run(1, ['completed'])
    await t.send('second message')
    const second = await t.run(2, ['completed', 'failed', 'interrupted'])
    expect(second).toMatchObject({ status: 'completed', failure: null })
    const p = await t.expectCleanStream()
    expect(t.items(2, 'assistant_message').map((i) => i.content.text)).toEqual(['reply 2: second message'])
    // One provider thread serves both runs.
    expect(p.providerThreads).toHaveLength(1)
    expect(p.runs.map((r) => r.providerThreadId)).toEqual([p.providerThreads[0]!.id, p.providerThreads[0]!.id])
    const calls = t.modelCalls()
    expect(calls).toHaveLength(2)
    const history = calls[1]!.view!.history.filter((h) => h.type === 'text').map((h) => h.text)
    expect(history).toEqual(expect.arrayContaining(['first message', 'reply 1: first message', 'second message']))
    expect(history.indexOf('first message')).toBeLessThan(history.indexOf('second message'))
  })

  it('should report a file change the agent made as a completed file_change item', async () => {
    const t = await e2e().thread(provider, { runtimeMode: 'auto-accept-edits' })
    await t.send(`${t.profile.writeFile('notes.txt', 'written by the agent')} write it`)
    const run = await t.run(1, ['completed', 'failed', 'interrupted'])
    expect(run).toMatchObject({ status: 'completed', failure: null })
    const p = await t.expectCleanStream()
    expect(readFileSync(join(t.ws.dir, 'notes.txt'), 'utf8').trimEnd()).toBe('written by the agent')
    const [change] = t.items(1, 'file_change')
    expect(change).toMatchObject({ status: 'completed', content: { changes: [expect.objectContaining({ path: expect.stringMatching(/notes\.txt$/), kind: 'add' })] } })
    // Auto-accept-edits: no approval was asked for.
    expect(p.runtimeRequests).toEqual([])
    const calls = t.modelCalls()
    expect(calls).toHaveLength(2)
    expect(calls[1]!.view!.lastToolOutput).toBeDefined()
  })

  it('should queue a second message behind the running turn and run it after', async () => {
    const t = await e2e().thread(provider)
    await t.send('[[slow:40:40]] first')
    const first = await t.everRun(1, 'running')
    await t.streaming(2)
    await t.send('second', { type: 'queue_after_active' })
    // Queued behind the running turn (not started, not steered into it).
    expect(await t.everRun(2, 'queued')).toMatchObject({ queueReason: 'behind_active_run' })
    await t.run(2, ['completed', 'failed', 'interrupted'])
    const p = await t.expectCleanStream()
    expect(p.runs.map((r) => [r.ordinal, r.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
    ])
    // The second run started only after the first one ended.
    expect(p.runs[1]!.startedAt).toBeGreaterThanOrEqual(p.runs[0]!.completedAt!)
    expect(p.runs[0]!.id).toBe(first.id)
    expect(t.items(2, 'assistant_message').map((i) => i.content.text)).toEqual(['reply 2: second'])
    const calls = t.modelCalls()
    expect(calls.map((c) => c.view?.lastUserText)).toEqual(['[[slow:40:40]] first', 'second'])
    expect(calls[1]!.view!.history.map((h) => h.text)).toEqual(expect.arrayContaining(['[[slow:40:40]] first', 'second']))
  })
})
