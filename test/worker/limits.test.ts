import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { LIMITS } from '../../src/contracts/index.ts'
import { api, createThread, dispatch, token, uniqueId } from './helpers.ts'
import { writtenRows } from './storage-helpers.ts'

const post = (tok: string, body: BodyInit, headers: Record<string, string> = {}) =>
  api('/v1/commands', { method: 'POST', token: tok, body, headers: { 'content-type': 'application/json', ...headers } })

const streamOf = (text: string) => {
  const bytes = new TextEncoder().encode(text)
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.slice(i, i + 64 * 1024))
      controller.close()
    },
  })
}

describe('request bodies', () => {
  it('should refuse a body over 1 MiB with 413 payload_too_large and change nothing', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const before = await writtenRows(threadId)
    const body = JSON.stringify({ commandId: uniqueId('cmd'), type: 'thread.metadata.update', threadId, title: 'x', padding: 'x'.repeat(LIMITS.requestBodyBytes) })
    const result = await post(tok, body)
    expect(result.status).toBe(413)
    expect(result.body.code).toBe('payload_too_large')
    expect((await writtenRows(threadId)).events).toEqual(before.events)
  })

  it('should refuse a streamed body over 1 MiB that declares no length', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const body = JSON.stringify({ commandId: uniqueId('cmd'), type: 'message.dispatch', threadId, text: 'y'.repeat(LIMITS.requestBodyBytes + 10) })
    const response = await SELF.fetch('https://loom.test/v1/commands', {
      method: 'POST',
      headers: { Authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
      body: streamOf(body),
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(413)
    expect(((await response.json()) as { code: string }).code).toBe('payload_too_large')
  })

  it('should accept a body just under the limit', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    // A long message well inside the body limit passes the edge and reaches the thread.
    const result = await dispatch(tok, { type: 'message.dispatch', threadId, text: 'z'.repeat(LIMITS.messageChars) })
    expect(result.status).toBe(200)
  })

  it.each([
    { label: 'truncated JSON', body: '{"type": "thread.create", ' },
    { label: 'not JSON at all', body: 'hello' },
    { label: 'an empty body', body: '' },
  ])('should refuse $label with 400 invalid_json', async ({ body }) => {
    const result = await post(await token(), body)
    expect(result.status).toBe(400)
    expect(result.body.code).toBe('invalid_json')
  })
})

describe('command validation', () => {
  const create = { type: 'thread.create', threadId: 'some-thread', workspaceId: 'ws-test', modelSelection: { provider: 'codex', model: 'm' } }

  it.each([
    { label: 'a missing commandId', command: { ...create }, paths: [['commandId']] },
    { label: 'an unknown command type', command: { commandId: 'c1', type: 'thread.explode', threadId: 't' }, paths: [['type']] },
    { label: 'a wrong type', command: { commandId: 'c1', ...create, title: 42 }, paths: [['title']] },
    { label: 'an unknown provider', command: { commandId: 'c1', ...create, modelSelection: { provider: 'gpt', model: 'm' } }, paths: [['modelSelection', 'provider']] },
    { label: 'an unknown field', command: { commandId: 'c1', ...create, colour: 'red' }, paths: [[]] },
    { label: 'a bad id', command: { commandId: 'c1', ...create, threadId: 'has spaces' }, paths: [['threadId']] },
    { label: 'a negative expectedSequence', command: { commandId: 'c1', ...create, expectedSequence: -1 }, paths: [['expectedSequence']] },
    { label: 'a text over the limit', command: { commandId: 'c1', type: 'message.dispatch', threadId: 't', text: 'x'.repeat(LIMITS.messageChars + 1) }, paths: [['text']] },
    { label: 'a bad dispatch mode', command: { commandId: 'c1', type: 'message.dispatch', threadId: 't', text: 'x', dispatchMode: { type: 'steer_active' } }, paths: [['dispatchMode', 'targetRunId']] },
    { label: 'too many attachments', command: { commandId: 'c1', type: 'message.dispatch', threadId: 't', text: 'x', attachments: Array(LIMITS.attachments + 1).fill({}) }, paths: [['attachments']] },
    { label: 'several problems', command: { commandId: 'c1', type: 'run.interrupt', threadId: 7 }, paths: [['threadId'], ['runId']] },
    { label: 'an array', command: [], paths: [[]] },
    { label: 'null', command: null, paths: [[]] },
  ])('should refuse $label with 400 and the issue paths', async ({ command, paths }) => {
    const result = await post(await token(), JSON.stringify(command))
    expect(result.status).toBe(400)
    expect(result.body.code).toBe('invalid_request')
    const reported = result.body.details.issues.map((i: any) => i.path)
    for (const path of paths) expect(reported).toContainEqual(path)
    for (const issue of result.body.details.issues) expect(issue.message).toEqual(expect.any(String))
  })

  it('should change nothing on a thread when its command is invalid', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const before = await writtenRows(threadId)
    const result = await dispatch(tok, { type: 'thread.runtime-mode.set', threadId, runtimeMode: 'yolo' })
    expect(result.status).toBe(400)
    expect(result.body.details.issues).toContainEqual(expect.objectContaining({ path: ['runtimeMode'] }))
    expect(await writtenRows(threadId)).toEqual(before)
  })
})

describe('reads and routes', () => {
  it.each([
    { label: 'a bad thread id', path: '/v1/threads/bad%20id', issue: ['threadId'] },
    { label: 'a page over the limit', path: `/v1/threads/t1/events?limit=${LIMITS.eventsPageSize + 1}`, issue: ['limit'] },
    { label: 'a negative after', path: '/v1/threads/t1/events?after=-1', issue: ['after'] },
    { label: 'a non-numeric after', path: '/v1/threads/t1/events?after=soon', issue: ['after'] },
    { label: 'a bad archived flag', path: '/v1/workspaces/ws-test/threads?archived=maybe', issue: ['archived'] },
  ])('should refuse $label with 400 and the issue path', async ({ path, issue }) => {
    const result = await api(path, { token: await token() })
    expect(result.status).toBe(400)
    expect(result.body.code).toBe('invalid_request')
    expect(result.body.details.issues.map((i: any) => i.path)).toContainEqual(issue)
  })

  it('should answer an unknown thread with 404 thread_not_found', async () => {
    const result = await api(`/v1/threads/${uniqueId('missing')}`, { token: await token() })
    expect(result.status).toBe(404)
    expect(result.body.code).toBe('thread_not_found')
  })

  it.each([
    { method: 'GET', path: '/v1/nothing-here' },
    { method: 'GET', path: '/nope' },
    { method: 'GET', path: '/v1/commands' },
    { method: 'DELETE', path: '/v1/threads/t1' },
  ])('should answer $method $path with 404 not_found', async ({ method, path }) => {
    const result = await api(path, { method, token: await token() })
    expect(result.status).toBe(404)
    expect(result.body).toEqual({ code: 'not_found', message: expect.any(String) })
  })

  it('should answer a socket route without an upgrade with 426', async () => {
    const result = await api('/v1/ws?threadId=t1', { token: await token() })
    expect(result.status).toBe(426)
    expect(result.body.code).toBe('upgrade_required')
  })
})
