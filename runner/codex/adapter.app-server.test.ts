/**
 * @module The Codex adapter end to end: the real pinned `codex app-server` against the fake
 * Responses API on 127.0.0.1, each test in its own temp root (CODEX_HOME, HOME, TMPDIR,
 * workspace) that is removed afterwards, every app-server process ended.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { RuntimeEvent, type RuntimeRequestId } from '../../src/contracts/index.ts'
import { startFakeOpenAI, type FakeModelServer } from '../../fixtures/fake-models/index.ts'
import { AdapterError, type RequestRespond } from '../adapter.ts'
import { createCodexAdapter, type CodexAdapter } from './adapter.ts'
import { codexChildren, fakeProviderEnv, openRecorded, tempRoot, turnStart, type Recorded } from './testing/harness.ts'
import { startRewriteProxy } from './testing/rewrite-proxy.ts'

const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='

let server: FakeModelServer
let root: Awaited<ReturnType<typeof tempRoot>>
let adapters: CodexAdapter[]

beforeAll(async () => {
  server = await startFakeOpenAI()
})
afterAll(async () => {
  await server.close()
})
beforeEach(async () => {
  root = await tempRoot()
  adapters = []
})
afterEach(async () => {
  await Promise.all(adapters.map((a) => a.shutdown()))
  await root.remove()
  expect(await codexChildren()).toEqual([])
}, 20_000)

function adapter(): CodexAdapter {
  const created = createCodexAdapter({ interruptGraceMs: 3_000 })
  adapters.push(created)
  return created
}

async function open(a = adapter(), baseUrl = server.url): Promise<Recorded> {
  return openRecorded(a, { stateDir: root.state, cwd: root.work, providerEnv: fakeProviderEnv(baseUrl, root.catalog) })
}

const respond = (nativeRequestRef: string, decision: RequestRespond['decision'], answers: RequestRespond['answers'] = null): RequestRespond => ({
  kind: 'request.respond',
  requestId: `request:codex:${nativeRequestRef}` as RuntimeRequestId,
  nativeRequestRef,
  decision,
  answers,
})

const threadOf = (s: Recorded): string => {
  const bound = s.of('provider-thread.bound').at(-1)
  if (!bound) throw new Error('no provider-thread.bound')
  return bound.nativeThreadId
}

/** Every event the session emitted must fit the canonical schema. */
const expectValidEvents = (s: Recorded): void => {
  for (const event of s.events) expect(RuntimeEvent.safeParse(event).error, JSON.stringify(event).slice(0, 300)).toBeUndefined()
}

describe('Codex adapter with the real app-server', { timeout: 40_000 }, () => {
  it('should run a text turn with streamed deltas, usage and a completed terminal', async () => {
    const s = await open()
    const effect = turnStart('hello there')
    await s.session.startTurn(effect)
    const done = await s.waitFor('turn.completed')
    expect(done).toMatchObject({ runId: effect.runId, attemptId: effect.attemptId, status: 'completed', failure: null })
    expect(done.usage?.totalTokens).toBeGreaterThan(0)
    const started = s.of('turn.started')
    expect(started).toEqual([{ type: 'turn.started', runId: effect.runId, attemptId: effect.attemptId, nativeTurnId: done.nativeTurnId }])
    const message = s.of('item.updated').filter((e) => e.content.type === 'assistant_message')
    expect(message.map((e) => e.status)).toEqual(['running', 'completed'])
    expect(message.at(-1)?.content).toEqual({ type: 'assistant_message', text: 'reply 1: hello there' })
    expect(s.deltas.map((d) => d.text).join('')).toBe('reply 1: hello there')
    expect(s.deltas.length).toBeGreaterThan(1)
    expect(s.events.map((e) => e.type)).toEqual(expect.arrayContaining(['session.started', 'provider-thread.bound', 'usage.updated']))
    expect(s.events.findIndex((e) => e.type === 'turn.started')).toBeLessThan(s.events.findIndex((e) => e.type === 'item.updated'))
    expectValidEvents(s)

    const calls = server.requests.modelCalls(threadOf(s))
    expect(calls).toHaveLength(1)
    expect(calls[0]?.view?.lastUserText).toBe('hello there')
    expect(calls[0]?.headers.authorization).toBe('Bearer test-key')
    const out = s.frames.filter((f) => f.dir === 'out').map((f) => f.frame)
    expect(out.map((f) => f.method)).toEqual(['initialize', 'initialized', 'thread/start', 'turn/start'])
    expect(out[3]?.params).toMatchObject({ approvalPolicy: 'on-request', sandboxPolicy: { type: 'readOnly', networkAccess: false }, collaborationMode: { mode: 'default' } })
    expect(s.frames.some((f) => f.dir === 'in' && f.frame.method === 'turn/completed')).toBe(true)
  })

  it('should send image attachments to the model as input images', async () => {
    const s = await open()
    await s.session.startTurn(turnStart('what is in the picture', { attachments: [{ type: 'image', mimeType: 'image/png', data: PNG_1PX }] }))
    await s.waitFor('turn.completed', (e) => e.status === 'completed')
    const body = server.requests.modelCalls(threadOf(s))[0]?.body as { input: Array<{ role?: string; content?: Array<Record<string, unknown>> }> }
    const parts = body.input.filter((i) => i.role === 'user').flatMap((i) => i.content ?? [])
    expect(parts).toContainEqual(expect.objectContaining({ type: 'input_image', image_url: `data:image/png;base64,${PNG_1PX}` }))
  })
  it('should ask before an escalated command and run it once accepted', async () => {
    const s = await open()
    await s.session.startTurn(turnStart('[[escalate:echo hi]] run it'))
    const opened = await s.waitFor('request.opened')
    expect(opened).toMatchObject({ kind: 'command', availableDecisions: expect.arrayContaining(['accept', 'decline', 'cancel']) })
    expect(opened.prompt).toContain('echo hi')
    expect(s.of('item.updated').find((e) => e.nativeItemId === opened.nativeItemId)).toMatchObject({ status: 'running', content: { type: 'command_execution' } })
    await s.session.respond(respond(opened.nativeRequestId, 'accept'))
    const done = await s.waitFor('turn.completed')
    expect(done.status).toBe('completed')
    expect(s.of('request.closed')).toEqual([{ type: 'request.closed', nativeRequestId: opened.nativeRequestId, status: 'resolved', reason: 'answered' }])
    const command = s.of('item.updated').filter((e) => e.nativeItemId === opened.nativeItemId).at(-1)
    expect(command).toMatchObject({ status: 'completed', content: { type: 'command_execution', exitCode: 0, output: 'hi\n' } })
    const calls = server.requests.modelCalls(threadOf(s))
    expect(calls).toHaveLength(2)
    expect(calls[1]?.view?.lastToolOutput).toContain('hi')
    expect(s.frames.some((f) => f.dir === 'out' && (f.frame.result as { decision?: string } | undefined)?.decision === 'accept')).toBe(true)
    expectValidEvents(s)
  })

  it('should decline an escalated command', async () => {
    const s = await open()
    await s.session.startTurn(turnStart('[[escalate:echo hi]] run it'))
    const opened = await s.waitFor('request.opened')
    await s.session.respond(respond(opened.nativeRequestId, 'decline'))
    expect((await s.waitFor('turn.completed')).status).toBe('completed')
    expect(s.of('request.closed')).toEqual([expect.objectContaining({ nativeRequestId: opened.nativeRequestId, status: 'resolved', reason: 'answered' })])
    const command = s.of('item.updated').filter((e) => e.nativeItemId === opened.nativeItemId).at(-1)
    expect(command).toMatchObject({ status: 'cancelled', content: { exitCode: null } })
    expect(server.requests.modelCalls(threadOf(s))[1]?.view?.lastToolOutput).toMatch(/rejected/i)
    await expect(s.session.respond(respond(opened.nativeRequestId, 'accept'))).rejects.toBeInstanceOf(AdapterError)
  })

  it('should apply an approved file change in the workspace', async () => {
    const s = await open()
    await s.session.startTurn(turnStart('[[patch:hello.txt:hello from patch]] write it'))
    const opened = await s.waitFor('request.opened')
    expect(opened).toMatchObject({ kind: 'file-change', detail: { changes: [expect.objectContaining({ kind: 'add', additions: 1 })] } })
    await s.session.respond(respond(opened.nativeRequestId, 'accept'))
    expect((await s.waitFor('turn.completed')).status).toBe('completed')
    const change = s.of('item.updated').filter((e) => e.content.type === 'file_change').at(-1)
    expect(change).toMatchObject({ status: 'completed', content: { changes: [{ kind: 'add', additions: 1, deletions: 0 }] } })
    expect(change?.content.type === 'file_change' && change.content.changes[0]?.path).toMatch(/hello\.txt$/)
    expect(readFileSync(path.join(root.work, 'hello.txt'), 'utf8')).toBe('hello from patch\n')
    expectValidEvents(s)
  })

  it('should end a run interrupted mid-stream when turn/completed says so', async () => {
    const s = await open()
    const effect = turnStart('[[slow:100:50]] stream slowly')
    await s.session.startTurn(effect)
    await s.waitForDelta()
    const asked = Date.now()
    await s.session.interruptTurn({ kind: 'turn.interrupt', runId: effect.runId, attemptId: effect.attemptId, nativeTurnRef: null })
    const done = await s.waitFor('turn.completed')
    expect(done).toMatchObject({ status: 'interrupted', failure: null })
    expect(Date.now() - asked).toBeLessThan(2_000)
    const message = s.of('item.updated').filter((e) => e.content.type === 'assistant_message').at(-1)
    expect(message?.status).toBe('interrupted')
    expect(message?.content.type === 'assistant_message' && message.content.text).toMatch(/^tick /)
    expect(s.frames.some((f) => f.dir === 'out' && f.frame.method === 'turn/interrupt')).toBe(true)
  })

  it('should close a pending approval and end the run interrupted when interrupted', async () => {
    const s = await open()
    const effect = turnStart('[[escalate:echo never]] run it')
    await s.session.startTurn(effect)
    const opened = await s.waitFor('request.opened')
    await s.session.interruptTurn({ kind: 'turn.interrupt', runId: effect.runId, attemptId: effect.attemptId, nativeTurnRef: null })
    expect((await s.waitFor('turn.completed')).status).toBe('interrupted')
    expect(s.of('request.closed')).toEqual([{ type: 'request.closed', nativeRequestId: opened.nativeRequestId, status: 'cancelled', reason: 'run_interrupted' }])
    expect(s.events.findIndex((e) => e.type === 'request.closed')).toBeLessThan(s.events.findIndex((e) => e.type === 'turn.completed'))
    await expect(s.session.respond(respond(opened.nativeRequestId, 'accept'))).rejects.toMatchObject({ failure: { class: 'validation_error' } })
    expect(server.requests.modelCalls(threadOf(s))).toHaveLength(1)
  })

  it('should steer the running turn natively, guarded by the expected turn id', async () => {
    const s = await open()
    const effect = turnStart('[[slow:100:50]] stream slowly')
    await s.session.startTurn(effect)
    await s.waitForDelta()
    const steer = (nativeTurnRef: string | null) => ({ kind: 'turn.steer' as const, runId: effect.runId, attemptId: effect.attemptId, nativeTurnRef, message: { messageId: effect.message.messageId, text: 'also say hi', attachments: [] } })
    await expect(s.session.steerTurn(steer('not-the-turn'))).rejects.toMatchObject({ failure: { class: 'validation_error' } })
    await s.session.steerTurn(steer(s.of('turn.started')[0]?.nativeTurnId ?? null))
    const done = await s.waitFor('turn.completed')
    expect(done.status).toBe('completed')
    expect(s.of('turn.started')).toHaveLength(1)
    const last = server.requests.modelCalls(threadOf(s)).at(-1)
    const users = (last?.view?.history ?? []).filter((h) => h.role === 'user' && !h.text.startsWith('<')).map((h) => h.text)
    expect(users).toEqual(['[[slow:100:50]] stream slowly', 'also say hi'])
    // The dropped stream's item is closed, the reply to the steer completes.
    const messages = s.of('item.updated').filter((e) => e.content.type === 'assistant_message')
    expect(messages.filter((e) => e.status === 'running').every((r) => messages.some((m) => m.nativeItemId === r.nativeItemId && m.status !== 'running'))).toBe(true)
    expect(messages.filter((e) => e.status !== 'running').map((e) => [e.status, e.content.type === 'assistant_message' && e.content.text.split(' ')[0]])).toEqual([
      ['completed', 'reply'],
      ['cancelled', 'tick'],
    ])
    expect(messages.find((e) => e.status === 'completed')?.content).toEqual({ type: 'assistant_message', text: 'reply 2: also say hi' })
  })

  it('should resume the provider thread in a fresh process with its history', async () => {
    const first = await open()
    await first.session.startTurn(turnStart('first message'))
    await first.waitFor('turn.completed')
    const threadId = threadOf(first)
    await first.session.close('idle_timeout')
    expect(first.of('session.released')).toEqual([{ type: 'session.released', provider: 'codex', reason: 'idle_timeout', failure: null }])
    expect(adapters[0]?.processes).toBe(0)

    const second = await open()
    await second.session.startTurn(turnStart('second message', { nativeThreadRef: threadId }))
    expect((await second.waitFor('turn.completed')).status).toBe('completed')
    expect(threadOf(second)).toBe(threadId)
    expect(second.frames.filter((f) => f.dir === 'out').map((f) => f.frame.method)).toContain('thread/resume')
    const calls = server.requests.modelCalls(threadId)
    expect(calls).toHaveLength(2)
    expect(calls[1]?.view?.history.map((h) => h.text)).toEqual(expect.arrayContaining(['first message', 'reply 1: first message', 'second message']))
  })

  it('should fail a run on HTTP 500 with the error text, and rate limits as retryable', async () => {
    const s = await open()
    await s.session.startTurn(turnStart('[[fail:500]] please'))
    const failed = await s.waitFor('turn.completed')
    expect(failed.status).toBe('failed')
    expect(failed.failure).toMatchObject({ class: 'provider_error', code: 'internalServerError', retryable: true })
    expect(failed.failure?.message.length).toBeGreaterThan(0)
    const errorFrame = s.frames.find((f) => f.dir === 'in' && f.frame.method === 'error')?.frame as { params: { error: { message: string } } }
    expect(failed.failure?.message).toBe(errorFrame.params.error.message)

    const from = s.events.length
    await s.session.startTurn(turnStart('[[fail:429:0]] again'))
    const limited = await s.waitFor('turn.completed', () => true, from)
    expect(limited.failure).toMatchObject({ class: 'rate_limited', retryable: true, code: 'responseTooManyFailedAttempts:429' })
    expect(server.requests.modelCalls(threadOf(s)).map((r) => r.reply)).toEqual(['fail:500', 'fail:429'])
  })

  it('should show an item type without a canonical mapping as a generic item', async () => {
    const image = path.join(root.work, 'pixel.png')
    const { writeFile } = await import('node:fs/promises')
    await writeFile(image, Buffer.from(PNG_1PX, 'base64'))
    // The model asks for a shell command; the proxy turns it into view_image, which Codex reports as an `imageView` item.
    const proxy = await startRewriteProxy(server.origin, (body) =>
      body.replace(/"name":"exec_command","arguments":"(?:[^"\\]|\\.)*"/g, `"name":"view_image","arguments":${JSON.stringify(JSON.stringify({ path: image }))}`),
    )
    try {
      const s = await open(adapter(), proxy.url)
      await s.session.startTurn(turnStart('[[shell:echo x]] look'))
      expect((await s.waitFor('turn.completed')).status).toBe('completed')
      const generic = s.of('item.updated').filter((e) => e.content.type === 'generic')
      expect(generic.map((e) => e.status)).toEqual(['running', 'completed'])
      expect(generic.at(-1)?.content).toMatchObject({ type: 'generic', nativeType: 'imageView' })
      expect(generic.at(-1)?.content.type === 'generic' && generic.at(-1)?.content).toMatchObject({ summary: expect.stringContaining('pixel.png') })
      expect(server.requests.modelCalls(threadOf(s))).toHaveLength(2)
      expectValidEvents(s)
    } finally {
      await proxy.close()
    }
  })

  it('should fail the running turn with a transport error when the app-server dies, then resume', async () => {
    const s = await open()
    await s.session.startTurn(turnStart('[[slow:100:50]] stream slowly'))
    await s.waitForDelta()
    const [pid] = await codexChildren()
    expect(pid).toBeDefined()
    process.kill(pid as number, 'SIGKILL')
    const failed = await s.waitFor('turn.completed')
    expect(failed).toMatchObject({ status: 'failed', failure: { class: 'transport_error', code: 'codex.process_exited', retryable: true } })
    expect(s.of('session.released').at(-1)).toMatchObject({ reason: 'runtime_error' })
    expect(s.frames.at(-1)).toMatchObject({ dir: 'exit', frame: { status: 'error' } })
    const message = s.of('item.updated').filter((e) => e.content.type === 'assistant_message').at(-1)
    expect(message?.status).toBe('failed')

    const from = s.events.length
    await s.session.startTurn(turnStart('after the crash'))
    expect((await s.waitFor('turn.completed', () => true, from)).status).toBe('completed')
    expect(s.frames.filter((f) => f.dir === 'out').map((f) => f.frame.method)).toContain('thread/resume')
  })

  it('should share one process between sessions of one CODEX_HOME, initialized once', async () => {
    const a = adapter()
    const [one, two] = await Promise.all([open(a), open(a)])
    expect(a.processes).toBe(1)
    await Promise.all([one.session.startTurn(turnStart('from one')), two.session.startTurn(turnStart('from two'))])
    await Promise.all([one.waitFor('turn.completed'), two.waitFor('turn.completed')])
    expect(threadOf(one)).not.toBe(threadOf(two))
    for (const [s, text] of [[one, 'reply 1: from one'], [two, 'reply 1: from two']] as const) {
      expect(s.of('item.updated').filter((e) => e.content.type === 'assistant_message').at(-1)?.content).toEqual({ type: 'assistant_message', text })
      const out = s.frames.filter((f) => f.dir === 'out').map((f) => f.frame.method)
      expect(out.filter((m) => m === 'initialize')).toHaveLength(1)
      expect(s.frames.every((f) => f.dir === 'exit' || [undefined, threadOf(s)].includes((f.frame.params as { threadId?: string } | undefined)?.threadId))).toBe(true)
    }
    await one.session.close('idle_timeout')
    expect(a.processes).toBe(1)
    await two.session.close('idle_timeout')
    expect(a.processes).toBe(0)
  })

  it('should report a spawned sub-agent with its child thread without ending the run early', async () => {
    const s = await open()
    const effect = turnStart('[[agent:say hello from child]] spawn', { runtimeMode: 'full-access' })
    await s.session.startTurn(effect)
    expect((await s.waitFor('turn.completed')).status).toBe('completed')
    const child = await s.waitFor('subagent.updated', (e) => e.status === 'completed')
    const spawn = s.of('item.updated').find((e) => e.content.type === 'dynamic_tool' && e.content.toolName === 'collab:spawnAgent')
    expect(child).toMatchObject({ runId: effect.runId, prompt: 'say hello from child', parentNativeItemId: spawn?.nativeItemId, result: 'reply 1: say hello from child' })
    expect(child.nativeThreadId).toBe(child.nativeTaskId)
    expect(child.nativeThreadId).not.toBe(threadOf(s))
    expect(s.of('turn.completed')).toHaveLength(1)
    const childItems = s.of('item.updated').filter((e) => e.parentNativeItemId === spawn?.nativeItemId)
    expect(childItems.at(-1)?.content).toEqual({ type: 'assistant_message', text: 'reply 1: say hello from child' })
    expectValidEvents(s)
  })

  it('should revert the provider conversation before a turn', async () => {
    const s = await open()
    const turns: string[] = []
    for (const text of ['keep this', 'drop this']) {
      const from = s.events.length
      await s.session.startTurn(turnStart(text))
      turns.push((await s.waitFor('turn.completed', () => true, from)).nativeTurnId ?? '')
    }
    await s.session.rollback({ kind: 'thread.rollback', checkpointId: 'checkpoint:x' as never, ref: 'refs/x', appRunOrdinal: 1, providerThread: null, nativeTurnRefs: [turns[1] ?? ''] })
    const from = s.events.length
    await s.session.startTurn(turnStart('after revert'))
    await s.waitFor('turn.completed', () => true, from)
    const users = (server.requests.modelCalls(threadOf(s)).at(-1)?.view?.history ?? []).filter((h) => h.role === 'user' && !h.text.startsWith('<')).map((h) => h.text)
    expect(users).toEqual(['keep this', 'after revert'])
    expect(s.frames.find((f) => f.dir === 'out' && f.frame.method === 'thread/revert')?.frame.params).toEqual({ threadId: threadOf(s), beforeTurnId: turns[1] })
  })

  it('should map an update_plan call to a todo list item', async () => {
    const s = await open()
    await s.session.startTurn(turnStart('[[todo:First step|Second step]] plan', { runtimeMode: 'full-access' }))
    expect((await s.waitFor('turn.completed')).status).toBe('completed')
    const todo = s.of('item.updated').filter((e) => e.content.type === 'todo_list')
    expect(todo.at(-1)).toMatchObject({ status: 'completed', content: { steps: [{ text: 'First step', status: 'running' }, { text: 'Second step', status: 'pending' }] } })
  })

  it('should report status: version, auth and models of the configured provider', async () => {
    const a = createCodexAdapter({ providerEnv: fakeProviderEnv(server.url, root.catalog) })
    const status = await a.status()
    expect(status).toMatchObject({ provider: 'codex', state: 'ready', version: 'codex-cli 0.169.0', auth: 'authenticated', message: null })
    expect(status.models).toContain('fake-model')
    expect(status.capabilities).toEqual(a.capabilities)
    const missing = await createCodexAdapter({ binary: path.join(root.root, 'no-codex') }).status()
    expect(missing).toMatchObject({ state: 'missing', version: null })
  })

  it('should ask a plan-mode question and send the answers back', async () => {
    const s = await open()
    await s.session.startTurn(turnStart('[[ask:Which color?|Red|Blue]] ask me', { interactionMode: 'plan' }))
    const opened = await s.waitFor('request.opened')
    expect(opened).toMatchObject({ kind: 'user_input', prompt: 'Which color?', questions: [{ id: 'q1', question: 'Which color?', options: [{ label: 'Red' }, { label: 'Blue' }] }] })
    await s.session.respond(respond(opened.nativeRequestId, null, { q1: ['Blue'] }))
    expect((await s.waitFor('turn.completed')).status).toBe('completed')
    expect(server.requests.modelCalls(threadOf(s)).at(-1)?.view?.lastToolOutput).toContain('Blue')
    const start = s.frames.find((f) => f.dir === 'out' && f.frame.method === 'turn/start')?.frame.params
    expect(start).toMatchObject({ collaborationMode: { mode: 'plan' }, sandboxPolicy: { type: 'readOnly' } })
  })
})
