/**
 * @module The Claude adapter with the real pinned SDK and CLI against the fake Anthropic
 * Messages API on 127.0.0.1. Every test has its own state directory and checks that no
 * Claude Code process of it survives, and asserts what the fake server received.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { claudeEnv, startFakeAnthropic, type FakeModelServer } from '../../fixtures/fake-models/index.ts'
import type { ProviderSession } from '../adapter.ts'
import { ClaudeAdapter } from './adapter.ts'
import { handle, interrupt, processesWith, Recorder, respond, steer, turnStart } from './testing.ts'

let server: FakeModelServer
const cleanups: Array<() => Promise<void>> = []

beforeAll(async () => {
  server = await startFakeAnthropic({ slow: { deltas: 150, intervalMs: 40 } })
})

afterAll(async () => {
  await server.close()
})

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

type Setup = { rec: Recorder; session: ProviderSession; cwd: string; root: string; adapter: ClaudeAdapter; reopen(): Promise<ProviderSession> }

async function setup(config: { interruptGraceMs?: number } = {}): Promise<Setup> {
  const root = mkdtempSync(join(tmpdir(), 'loom-claude-'))
  const cwd = join(root, 'work')
  mkdirSync(cwd)
  const stateDir = join(root, 'state')
  const rec = new Recorder()
  const providerEnv = { ...claudeEnv(server.url, join(root, 'env')), ANTHROPIC_API_KEY: SECRET, ANTHROPIC_MODEL: 'claude-fake-1' }
  const adapter = new ClaudeAdapter({ ...config, providerEnv })
  const sessions: ProviderSession[] = []
  const open = async () => {
    const s = await adapter.openSession(rec.options({ cwd, stateDir, providerEnv }))
    sessions.push(s)
    return s
  }
  const session = await open()
  cleanups.push(async () => {
    for (const s of sessions) await s.close('test_end')
    expect(processesWith(root)).toEqual([])
    rmSync(root, { recursive: true, force: true })
  })
  return { rec, session, cwd, root, adapter, reopen: open }
}

const SECRET = 'sk-loom-test-secret'
const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='
const sessionOf = (rec: Recorder) => rec.of('provider-thread.bound')[0]?.nativeThreadId ?? ''

describe('Claude adapter against the fake Messages API', { timeout: 60_000 }, () => {
  it('runs a text turn, streaming deltas into one item per text segment', async () => {
    const { rec, session, root } = await setup()
    const start = turnStart('hello there')
    await session.startTurn(start)
    const done = await rec.waitFor('turn.completed')
    expect(done).toMatchObject({ runId: start.runId, status: 'completed', failure: null, nativeTurnId: `turn:${start.attemptId}` })
    expect(done.nativeConversationHeadRef).toMatch(/^[0-9a-f-]{36}$/)
    expect(done.usage?.outputTokens).toBeGreaterThan(0)
    const types = rec.events.map((e) => e.type)
    expect(types.slice(0, 3)).toEqual(['session.started', 'provider-thread.bound', 'turn.started'])
    const texts = rec.of('item.updated').filter((e) => e.content.type === 'assistant_message')
    expect(texts[0]?.status).toBe('running')
    expect(texts.at(-1)).toMatchObject({ status: 'completed', content: { text: 'reply 1: hello there' } })
    expect(new Set(texts.map((t) => t.nativeItemId)).size).toBe(1)
    expect(rec.deltas.map((d) => d.text).join('')).toBe('reply 1: hello there')
    expect(rec.deltas.length).toBeGreaterThan(1)
    const sessionId = sessionOf(rec)
    const calls = server.requests.modelCalls(sessionId)
    expect(calls).toHaveLength(1)
    expect(calls[0]?.view?.lastUserText).toBe('hello there')
    const out = rec.frames.filter((f) => f.dir === 'out').map((f) => (f.frame as { type: string }).type)
    expect(out).toEqual(['query.open', 'prompt.offer'])
    expect(rec.frames.find((f) => f.dir === 'out')?.frame).toMatchObject({ options: { sessionId, permissionMode: 'default', settingSources: [] } })
    expect(JSON.stringify(rec.frames)).not.toContain(SECRET)
    expect(calls[0]?.headers['x-api-key']).toBe(SECRET)
    expect(rec.frames.some((f) => f.dir === 'in' && (f.frame as { type: string }).type === 'result')).toBe(true)
    expect(processesWith(root).length).toBeGreaterThan(0)
  })

  it('sends image attachments as image blocks', async () => {
    const { rec, session } = await setup()
    const start = turnStart('what is in the picture?')
    start.message.attachments = [{ type: 'image', mimeType: 'image/png', data: PIXEL }]
    await session.startTurn(start)
    expect((await rec.waitFor('turn.completed')).status).toBe('completed')
    const body = server.requests.last(sessionOf(rec))?.body as { messages: Array<{ role: string; content: unknown }> }
    const blocks = body.messages.filter((m) => m.role === 'user').flatMap((m) => (Array.isArray(m.content) ? m.content : [])) as Array<{ type: string; source?: { data?: string } }>
    expect(blocks.find((b) => b.type === 'image')?.source).toMatchObject({ type: 'base64', media_type: 'image/png', data: PIXEL })
  })

  it('refuses file changes in plan mode without asking', async () => {
    const { rec, session, cwd } = await setup()
    await session.startTurn(turnStart('[[write:plan-only.txt:nope]] try it', { interactionMode: 'plan' }))
    expect((await rec.waitFor('turn.completed')).status).toBe('completed')
    expect(rec.of('request.opened')).toEqual([])
    expect(existsSync(join(cwd, 'plan-only.txt'))).toBe(false)
    expect(rec.of('item.updated').filter((e) => e.content.type === 'file_change').at(-1)?.status).toBe('cancelled')
    expect(server.requests.last(sessionOf(rec))?.view?.lastToolOutput).toContain('Plan mode')
    const from = rec.events.length
    await session.startTurn(turnStart('[[plan:# Plan\\n1. write the file]] plan it', { interactionMode: 'plan', providerThread: handle(sessionOf(rec)) }))
    expect((await rec.waitFor('turn.completed', () => true, 20_000, from)).status).toBe('completed')
    const plan = rec.events.slice(from).filter((e) => e.type === 'item.updated' && e.content.type === 'proposed_plan').at(-1)
    expect(plan).toMatchObject({ status: 'completed', content: { type: 'proposed_plan', markdown: expect.stringContaining('1. write the file') } })
    expect(rec.of('request.opened')).toEqual([])
  })

  it('asks before a Bash command and runs it when accepted', async () => {
    const { rec, session, cwd } = await setup()
    await session.startTurn(turnStart('[[bash:touch accepted.txt && echo ran-it]] go'))
    const ask = await rec.waitFor('request.opened')
    expect(ask).toMatchObject({ kind: 'command', nativeItemId: ask.nativeRequestId })
    expect(ask.prompt).toContain('touch accepted.txt')
    await session.respond(respond(ask.nativeRequestId, 'accept'))
    const done = await rec.waitFor('turn.completed')
    expect(done.status).toBe('completed')
    expect(existsSync(join(cwd, 'accepted.txt'))).toBe(true)
    expect(rec.of('request.closed')).toEqual([expect.objectContaining({ nativeRequestId: ask.nativeRequestId, status: 'resolved', reason: 'answered' })])
    const command = rec.of('item.updated').filter((e) => e.nativeItemId === ask.nativeRequestId).at(-1)
    expect(command).toMatchObject({ status: 'completed', content: { type: 'command_execution', command: 'touch accepted.txt && echo ran-it', exitCode: 0 } })
    expect(command?.content.type === 'command_execution' && command.content.output).toContain('ran-it')
    expect(rec.frames.some((f) => f.dir === 'out' && JSON.stringify(f.frame).includes('"permission.response"') && JSON.stringify(f.frame).includes('"allow"'))).toBe(true)
    const last = server.requests.last(sessionOf(rec))
    expect(last?.view?.lastToolOutput).toContain('ran-it')
  })

  it('tells the model when a Bash command is declined', async () => {
    const { rec, session, cwd } = await setup()
    await session.startTurn(turnStart('[[bash:touch declined.txt]] go'))
    const ask = await rec.waitFor('request.opened')
    await session.respond(respond(ask.nativeRequestId, 'decline'))
    const done = await rec.waitFor('turn.completed')
    expect(done.status).toBe('completed')
    expect(existsSync(join(cwd, 'declined.txt'))).toBe(false)
    expect(rec.of('item.updated').filter((e) => e.nativeItemId === ask.nativeRequestId).at(-1)?.status).toBe('cancelled')
    const last = server.requests.last(sessionOf(rec))
    expect(last?.view?.lastToolOutput).toContain('The user declined this action.')
  })

  it('reports a Write as a file change', async () => {
    const { rec, session, cwd } = await setup()
    await session.startTurn(turnStart('[[write:notes.txt:line one\\nline two]] write it', { runtimeMode: 'auto-accept-edits' }))
    const done = await rec.waitFor('turn.completed')
    expect(done.status).toBe('completed')
    expect(rec.of('request.opened')).toEqual([])
    expect(readFileSync(join(cwd, 'notes.txt'), 'utf8')).toBe('line one\nline two')
    const change = rec.of('item.updated').filter((e) => e.content.type === 'file_change').at(-1)
    expect(change).toMatchObject({ status: 'completed', content: { changes: [{ path: join(cwd, 'notes.txt'), kind: 'add', additions: 2, deletions: 0 }] } })
    expect(rec.frames.find((f) => f.dir === 'out')?.frame).toMatchObject({ options: { permissionMode: 'acceptEdits' } })
  })

  it('interrupts a turn mid-stream', async () => {
    const { rec, session } = await setup()
    const start = turnStart('[[slow]] talk slowly')
    await session.startTurn(start)
    await waitUntil(() => rec.deltas.length >= 3)
    const t0 = Date.now()
    await session.interruptTurn(interrupt(start))
    const done = await rec.waitFor('turn.completed', () => true, 5000)
    expect(done.status).toBe('interrupted')
    expect(Date.now() - t0).toBeLessThan(3000)
    expect(rec.frames.some((f) => f.dir === 'out' && (f.frame as { type: string }).type === 'query.interrupt')).toBe(true)
    const text = rec.of('item.updated').filter((e) => e.content.type === 'assistant_message').at(-1)
    expect(text?.status).not.toBe('running')
    expect(text?.content.type === 'assistant_message' && text.content.text).toMatch(/^tick tick tick/)
    expect(server.requests.modelCalls(sessionOf(rec))).toHaveLength(1)
  })

  it('interrupts a turn while an approval is pending: the request ends cancelled', async () => {
    const { rec, session, cwd } = await setup()
    const start = turnStart('[[bash:touch never.txt]] go')
    await session.startTurn(start)
    const ask = await rec.waitFor('request.opened')
    await session.interruptTurn(interrupt(start))
    const done = await rec.waitFor('turn.completed', () => true, 5000)
    expect(done.status).toBe('interrupted')
    expect(rec.of('request.closed')).toEqual([expect.objectContaining({ nativeRequestId: ask.nativeRequestId, status: 'cancelled', reason: 'run_interrupted' })])
    expect(existsSync(join(cwd, 'never.txt'))).toBe(false)
    await expect(session.respond(respond(ask.nativeRequestId, 'accept'))).rejects.toThrow(/no pending Claude request/)
  })

  it('ends the run interrupted by force when the SDK does not stop in time, then resumes', async () => {
    const { rec, session } = await setup({ interruptGraceMs: 1 })
    const start = turnStart('[[slow]] talk slowly')
    await session.startTurn(start)
    await waitUntil(() => rec.deltas.length >= 2)
    await session.interruptTurn(interrupt(start))
    const done = await rec.waitFor('turn.completed', () => true, 2000)
    expect(done).toMatchObject({ runId: start.runId, status: 'interrupted' })
    const sessionId = sessionOf(rec)
    const next = turnStart('after the forced stop', { providerThread: handle(sessionId) })
    await session.startTurn(next)
    const after = await rec.waitFor('turn.completed', (e) => e.runId === next.runId)
    expect(after.status).toBe('completed')
    expect(rec.of('turn.completed').filter((e) => e.runId === start.runId)).toHaveLength(1)
    const opens = rec.frames.filter((f) => f.dir === 'out' && (f.frame as { type: string }).type === 'query.open').map((f) => f.frame)
    expect(opens).toEqual([expect.objectContaining({ options: expect.objectContaining({ sessionId }) }), expect.objectContaining({ options: expect.objectContaining({ resume: sessionId }) })])
    expect(server.requests.modelCalls(sessionId).at(-1)?.view?.lastUserText).toBe('after the forced stop')
  })

  it('steers a running turn with a priority message: one run, ended by the second result', async () => {
    const { rec, session } = await setup()
    const start = turnStart('[[slow]] first prompt')
    await session.startTurn(start)
    await waitUntil(() => rec.deltas.length >= 3)
    await session.steerTurn(steer(start, 'steer message'))
    const done = await rec.waitFor('turn.completed')
    expect(done.status).toBe('completed')
    await sleep(300)
    expect(rec.of('turn.completed')).toHaveLength(1)
    const results = rec.frames.filter((f) => f.dir === 'in' && (f.frame as { type: string }).type === 'result')
    expect(results).toHaveLength(2)
    const texts = rec.of('item.updated').filter((e) => e.content.type === 'assistant_message' && e.status !== 'running')
    expect(texts.map((t) => t.content.type === 'assistant_message' && t.content.text)).toEqual([expect.stringMatching(/^tick tick tick/), 'reply 2: steer message'])
    expect(rec.frames.some((f) => f.dir === 'out' && JSON.stringify(f.frame).includes('"priority":"now"'))).toBe(true)
    const calls = server.requests.modelCalls(sessionOf(rec))
    expect(calls).toHaveLength(2)
    expect(calls[1]?.view?.lastUserText).toBe('steer message')
  })

  it('resumes the same Claude session after an idle release, with its history', async () => {
    const { rec, session, reopen } = await setup()
    await session.startTurn(turnStart('first message'))
    const first = await rec.waitFor('turn.completed')
    const sessionId = sessionOf(rec)
    await session.close('idle_timeout')
    expect(rec.of('session.released').at(-1)?.reason).toBe('idle_timeout')
    const from = rec.events.length
    const next = await reopen()
    await next.startTurn(turnStart('second message', { providerThread: handle(sessionId, first.nativeConversationHeadRef) }))
    const done = await rec.waitFor('turn.completed', () => true, 20_000, from)
    expect(done.status).toBe('completed')
    expect(rec.events.slice(from).find((e) => e.type === 'provider-thread.bound')).toMatchObject({ nativeThreadId: sessionId })
    const opens = rec.frames.filter((f) => f.dir === 'out' && (f.frame as { type: string }).type === 'query.open').map((f) => f.frame)
    expect(opens[1]).toMatchObject({ options: { resume: sessionId } })
    expect(opens[1]).not.toMatchObject({ options: { sessionId: expect.anything() } })
    const calls = server.requests.modelCalls(sessionId)
    expect(calls).toHaveLength(2)
    const history = calls[1]?.view?.history.map((h) => h.text) ?? []
    expect(history).toEqual(expect.arrayContaining(['first message', 'reply 1: first message', 'second message']))
  })

  it('rolls the conversation back with resumeSessionAt', async () => {
    const { rec, session } = await setup()
    const one = turnStart('turn one')
    await session.startTurn(one)
    await rec.waitFor('turn.completed', (e) => e.runId === one.runId)
    const two = turnStart('turn two', { providerThread: handle(sessionOf(rec)) })
    await session.startTurn(two)
    const twoDone = await rec.waitFor('turn.completed', (e) => e.runId === two.runId)
    const sessionId = sessionOf(rec)
    await session.rollback({ kind: 'thread.rollback', checkpointId: 'cp-1' as never, ref: 'ref', appRunOrdinal: 1, providerThread: handle(sessionId, twoDone.nativeConversationHeadRef), nativeTurnRefs: [`turn:${two.attemptId}`] })
    const three = turnStart('turn three', { providerThread: handle(sessionId, twoDone.nativeConversationHeadRef) })
    await session.startTurn(three)
    const done = await rec.waitFor('turn.completed', (e) => e.runId === three.runId)
    expect(done.status).toBe('completed')
    const opens = rec.frames.filter((f) => f.dir === 'out' && (f.frame as { type: string }).type === 'query.open').map((f) => f.frame)
    expect(opens.at(-1)).toMatchObject({ options: { resume: sessionId, resumeSessionAt: expect.any(String) } })
    const history = server.requests.modelCalls(sessionId).at(-1)?.view?.history.map((h) => h.text) ?? []
    expect(history).toEqual(expect.arrayContaining(['turn one', 'reply 1: turn one', 'turn three']))
    expect(history).not.toContain('turn two')
  })

  it('fails the run with the API error text on HTTP 500, and classifies 429 as retryable', async () => {
    const { rec, session } = await setup()
    const a = turnStart('[[fail:500]] please')
    await session.startTurn(a)
    const failed = await rec.waitFor('turn.completed', (e) => e.runId === a.runId)
    expect(failed).toMatchObject({ status: 'failed', failure: { class: 'provider_error', code: 'http_500', retryable: true } })
    expect(failed.failure?.message).toContain('API Error: 500')
    const b = turnStart('[[fail:429]] again', { providerThread: handle(sessionOf(rec)) })
    await session.startTurn(b)
    const limited = await rec.waitFor('turn.completed', (e) => e.runId === b.runId)
    expect(limited).toMatchObject({ status: 'failed', failure: { class: 'rate_limited', retryable: true } })
    expect(rec.of('item.updated').filter((e) => e.content.type === 'assistant_message')).toEqual([])
    expect(server.requests.modelCalls(sessionOf(rec)).map((r) => r.reply)).toEqual(['fail:500', 'fail:429'])
  })
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitUntil(pred: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await sleep(20)
  }
}
