/**
 * Hostile input, a few hundred cases from a seeded PRNG (reproducible: the seed is printed in
 * every failure): HTTP commands and reads, client socket frames, runner link and control
 * frames, shell socket frames. Each must get its 4xx or error frame (never a 500, never a
 * hang), and the threads' event logs must be exactly what they were before.
 */
import { SELF, env, runInDurableObject } from 'cloudflare:test'
import { sign } from 'hono/jwt'
import { describe, expect, it } from 'vitest'
import { api, connect, createThread, dispatch, token, uniqueId, type TestSocket } from './helpers.ts'
import { ScriptedRunner, runnerToken } from './runner-helpers.ts'

const SEED = 0x5eed_1005

/** mulberry32: small, fast, and the same sequence everywhere. */
const prng = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Rng = () => number
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!
const int = (rng: Rng, max: number) => Math.floor(rng() * max)

const junkText = (rng: Rng, length: number) => {
  let out = ''
  for (let i = 0; i < length; i++) out += String.fromCharCode(pick(rng, [int(rng, 32), 32 + int(rng, 95), 0xa0 + int(rng, 0x2000), 0xd800 + int(rng, 0x400)]))
  return out
}

/** Strings no id may be: empty, slashes, newlines, spaces, too long, path tricks, markup. */
const BAD_IDS = ['', ' ', 'a/b', '/', '../../etc/passwd', 'line\nbreak', 'cr\rlf', 'tab\there', 'nul\u0000', 'x'.repeat(257), 'sp ace', '<script>', "'; DROP TABLE events; --", '-leading-dash', '.dot', 'é', '🧵', 'a?b=c', 'a#b', 'a\\b']
/** Values of the wrong type for any string or number field. */
const WRONG_VALUES: unknown[] = [null, 0, -1, 1.5, true, false, [], {}, ['a'], { $gt: '' }, { toString: 'x' }]

const HUGE = 'h'.repeat(200_000)

/** Valid commands for a thread, as a starting point for breaking them. */
const baseCommands = (threadId: string): Array<Record<string, unknown> & { type: string }> => [
  { type: 'thread.metadata.update', threadId, title: 'renamed by fuzz' },
  { type: 'message.dispatch', threadId, text: 'hello from fuzz' },
  { type: 'thread.runtime-mode.set', threadId, runtimeMode: 'full-access' },
  { type: 'thread.interaction-mode.set', threadId, interactionMode: 'plan' },
  { type: 'thread.model-selection.set', threadId, modelSelection: { provider: 'claude', model: 'fuzz-model' } },
  { type: 'thread.archive', threadId },
  { type: 'run.interrupt', threadId, runId: 'run:x:1' },
  { type: 'thread.fork', threadId, targetThreadId: 'fuzz-fork', sourcePoint: { type: 'latest_stable' } },
]

/** Per field: values that make the command invalid whatever else it holds. */
const invalidFor: Record<string, (rng: Rng) => unknown> = {
  threadId: (rng) => pick(rng, [...BAD_IDS, ...WRONG_VALUES]),
  commandId: (rng) => pick(rng, [...BAD_IDS, ...WRONG_VALUES]),
  targetThreadId: (rng) => pick(rng, [...BAD_IDS, ...WRONG_VALUES]),
  runId: (rng) => pick(rng, [...BAD_IDS, ...WRONG_VALUES]),
  type: (rng) => pick(rng, ['thread.drop', 'THREAD.CREATE', '', 'thread.metadata.update ', '__proto__', 'constructor', 1, null, {}]),
  title: (rng) => pick(rng, ['', '   ', '\n\t', 't'.repeat(501), HUGE, 1, null, [], {}, true]),
  text: (rng) => pick(rng, ['m'.repeat(100_001), 5, null, [], { text: 'x' }, false]),
  runtimeMode: (rng) => pick(rng, ['root', 'FULL-ACCESS', '', null, 1, ['full-access']]),
  interactionMode: (rng) => pick(rng, ['chaos', '', null, 0]),
  modelSelection: (rng) =>
    pick(rng, [null, 'codex', {}, { provider: 'gpt', model: 'x' }, { provider: 'codex', model: '' }, { provider: 'codex', model: 'x'.repeat(201) }, { provider: 'codex', model: 'm', extra: 1 }]),
  sourcePoint: (rng) => pick(rng, [null, {}, { type: 'yesterday' }, { type: 'run' }, { type: 'latest_stable', extra: true }]),
  expectedSequence: (rng) => pick(rng, [-1, 1.5, '3', null, {}]),
}

type Case = { label: string; body: string; tok?: string }

/** A command broken in one of several ways; every one of them must be refused. */
const brokenCommand = (rng: Rng, threadId: string): Case => {
  const base: Record<string, unknown> & { type: string } = { commandId: uniqueId('fz'), ...pick(rng, baseCommands(threadId)) }
  const keys = Object.keys(base)
  switch (int(rng, 7)) {
    case 0:
    case 1: {
      const key = pick(rng, [...keys, 'expectedSequence'].filter((k) => invalidFor[k]))
      const value = invalidFor[key]!(rng)
      return { label: `${base.type}: ${key}=${JSON.stringify(value)?.slice(0, 40)}`, body: JSON.stringify({ ...base, [key]: value }) }
    }
    case 2: {
      const key = pick(rng, ['commandId', 'type', 'threadId'])
      const { [key]: _dropped, ...rest } = base
      return { label: `${base.type}: without ${key}`, body: JSON.stringify(rest) }
    }
    case 3: {
      const extra = pick(rng, ['extra', 'isAdmin', 'actor', 'sequence', 'workspaceId', 'sub', '$where', ''])
      return { label: `${base.type}: unknown field ${extra}`, body: JSON.stringify({ ...base, [extra]: pick(rng, [true, 'x', { admin: true }]) }) }
    }
    case 4: {
      // JSON.stringify never writes "__proto__" as a key; the text is written by hand.
      const key = pick(rng, ['__proto__', 'constructor', 'prototype'])
      const text = JSON.stringify(base).replace(/^\{/, `{"${key}":{"polluted":true,"prototype":{"polluted":true},"scopes":["admin"]},`)
      return { label: `${base.type}: ${key} key`, body: text }
    }
    case 5: {
      const text = JSON.stringify(base)
      const cut = pick(rng, [text.slice(0, int(rng, text.length)), text.replace(/"/, "'"), text + '}', `[${text}]`, text.replace(/:/g, '='), junkText(rng, 1 + int(rng, 60))])
      return { label: `${base.type}: bad JSON ${JSON.stringify(cut.slice(0, 30))}`, body: cut }
    }
    default: {
      const value = pick(rng, ['null', '[]', '0', '"a command"', 'true', '{}', '[{}]', '{"type":null}'])
      return { label: `not a command object: ${value}`, body: value }
    }
  }
}

type Failure = { label: string; got: unknown }

const withTimeout = async <T>(promise: Promise<T>, label: string, ms = 10_000): Promise<T> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung: ${label}`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** The full log of a thread, as HTTP serves it. */
const logOf = async (tok: string, threadId: string) => {
  const read = await api(`/v1/threads/${threadId}/events?after=0`, { token: tok })
  expect(read.status).toBe(200)
  return read.body.events
}

/** Sends one frame and returns the next frame the socket receives (or its close). */
const exchange = async (socket: TestSocket, frame: string | ArrayBuffer, label: string): Promise<any> => {
  const from = socket.frames.length
  socket.ws.send(frame)
  return withTimeout(
    socket.until((frames) => frames[from] ?? (socket.closed ? { closed: socket.closed } : undefined), 8000),
    label,
  )
}

const isClientError = (frame: any) =>
  frame && typeof frame === 'object' && 'error' in frame && !('result' in frame) && typeof frame.error?.code === 'string' && frame.error.code !== 'internal_error'

const isRefusal = (frame: any) => frame?.type === 'refused' && typeof frame.error?.code === 'string' && frame.error.code !== 'internal_error'

/** A client frame that must be refused: broken JSON, wrong shapes, wrong methods and params. */
const brokenFrame = (rng: Rng, threadId: string, otherThreadId: string): { label: string; frame: string | ArrayBuffer } => {
  const id = pick(rng, [1, 'req', int(rng, 1_000_000)])
  const obj = (value: unknown, label: string) => ({ label, frame: JSON.stringify(value) })
  switch (int(rng, 12)) {
    case 0:
      return { label: 'text junk', frame: pick(rng, ['', 'null', '[]', '{', 'hello', 'undefined', '1e999', '"str"', '{"id":1}', junkText(rng, 1 + int(rng, 200))]) }
    case 1: {
      const bytes = new Uint8Array(1 + int(rng, 64))
      for (let i = 0; i < bytes.length; i++) bytes[i] = int(rng, 256)
      const json = new TextEncoder().encode(JSON.stringify({ id, method: 'getThreadProjection', params: { threadId } }))
      return { label: 'binary frame', frame: (rng() < 0.5 ? bytes : json).buffer as ArrayBuffer }
    }
    case 2:
      return obj({ id, method: pick(rng, ['dropThread', 'eval', '__proto__', 'constructor', 'GETTHREADPROJECTION', '', 'subscribe']), params: {} }, 'unknown method')
    case 3:
      return obj({ id: pick(rng, [{}, [], true, null, 1.5, 'i'.repeat(129)]), method: 'getThreadProjection', params: { threadId } }, 'bad request id')
    case 4:
      return obj({ id, method: 'getThreadProjection', params: pick(rng, [{}, null, 'x', [], { threadId: pick(rng, [...BAD_IDS, ...WRONG_VALUES]) }, { threadId, extra: 1 }, { threadId: otherThreadId }]) }, 'getThreadProjection params')
    case 5:
      return obj(
        {
          id,
          method: 'subscribeThread',
          params: pick(rng, [
            {},
            { threadId: pick(rng, [...BAD_IDS, ...WRONG_VALUES]) },
            { threadId, afterSequence: pick(rng, [-1, 1.5, '1', null, {}, 1e12]) },
            { threadId, since: 0 },
            { threadId: otherThreadId },
          ]),
        },
        'subscribeThread params',
      )
    case 6:
      return obj({ id, method: 'unsubscribe', params: pick(rng, [{}, { subscription: 5 }, { subscription: 's'.repeat(129) }, { subscription: 'thread:nope' }, null]) }, 'unsubscribe params')
    case 7:
      return obj({ id, method: 'subscribeShell', params: pick(rng, [{ workspaceId: 'ws-test' }, {}, { workspaceId: 'a/b' }]) }, 'subscribeShell on a thread socket')
    case 8: {
      const broken = brokenCommand(rng, threadId)
      let params: unknown
      try {
        params = JSON.parse(broken.body)
      } catch {
        params = broken.body
      }
      return obj({ id, method: 'dispatchCommand', params }, `dispatchCommand ${broken.label}`)
    }
    case 9: {
      // A valid command, but for another thread: this socket serves one thread only.
      const command = { commandId: uniqueId('fz'), ...pick(rng, baseCommands(otherThreadId)) }
      return obj({ id, method: 'dispatchCommand', params: command }, `dispatchCommand for another thread (${command.type})`)
    }
    case 10:
      return obj(
        pick(rng, [
          { type: 'hello', protocolVersion: 1, runnerId: 'r', epoch: 1 },
          { type: 'batch', epoch: 1, seq: 1, events: [{ type: 'workspace.features', checkpoints: 'available' }] },
          { type: 'delta', itemId: 'i', offset: 0, text: 'x' },
          { type: 'ack', seq: 1 },
        ]),
        'runner frame on a client socket',
      )
    default:
      return obj({ id, method: 'getThreadProjection', params: { threadId }, extra: pick(rng, [1, 'x', null]) }, 'unknown top-level field')
  }
}

describe('fuzzing the edges', () => {
  it('should refuse every malformed or hostile HTTP request with a 4xx and change no log', async () => {
    const rng = prng(SEED)
    const tok = await token()
    const threadId = await createThread(tok)
    const otherThreadId = await createThread(tok)
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'the one real message' })
    const before = await logOf(tok, threadId)
    const otherBefore = await logOf(tok, otherThreadId)
    const failures: Failure[] = []

    const cases: Case[] = Array.from({ length: 120 }, () => brokenCommand(rng, threadId))
    // A valid command with a stale expectedSequence: a conflict, and nothing written.
    cases.push({ label: 'stale expectedSequence', body: JSON.stringify({ commandId: uniqueId('fz'), type: 'thread.metadata.update', threadId, title: 'x', expectedSequence: 1 }) })
    // Over the body limit: 413 before anything is parsed.
    cases.push({ label: 'body over 1 MiB', body: JSON.stringify({ commandId: uniqueId('fz'), type: 'message.dispatch', threadId, text: 'b'.repeat(1024 * 1024 + 10) }) })
    // Valid commands with the wrong token: no token, bad ones, wrong scopes, another workspace.
    const valid = () => JSON.stringify({ commandId: uniqueId('fz'), type: 'thread.metadata.update', threadId, title: 'should not land' })
    const expired = await sign({ sub: 'user:test', scopes: ['operate'], workspaces: ['ws-test'], exp: Math.floor(Date.now() / 1000) - 10 }, env.LOOM_JWT_SECRET, 'HS256')
    const foreignSecret = await sign({ sub: 'user:test', scopes: ['admin'], workspaces: ['ws-test'], exp: Math.floor(Date.now() / 1000) + 600 }, 'another-secret-0123456789abcdef', 'HS256')
    const noScopes = await sign({ sub: 'user:test', workspaces: ['ws-test'], exp: Math.floor(Date.now() / 1000) + 600 }, env.LOOM_JWT_SECRET, 'HS256')
    const unknownScope = await sign({ sub: 'user:test', scopes: ['root'], workspaces: ['ws-test'], exp: Math.floor(Date.now() / 1000) + 600 }, env.LOOM_JWT_SECRET, 'HS256')
    const unsigned = `${btoa(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${btoa(JSON.stringify({ sub: 'x', scopes: ['admin'], workspaces: [], exp: 9999999999 }))}.`
    const tokens: Array<[string, string | undefined]> = [
      ['no token', undefined],
      ['read-only token', await token({ scopes: ['read'] })],
      ['runner token', await runnerToken()],
      ['another workspace', await token({ workspaces: ['ws-elsewhere'] })],
      ['expired token', expired],
      ['foreign secret', foreignSecret],
      ['no scopes claim', noScopes],
      ['unknown scope', unknownScope],
      ['alg none', unsigned],
      ['garbage token', 'not.a.jwt'],
      ['empty token', ''],
    ]
    for (const [label, t] of tokens) cases.push({ label, body: valid(), ...(t === undefined ? {} : { tok: t }) })

    for (const c of cases) {
      const response = await withTimeout(
        SELF.fetch('https://loom.test/v1/commands', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(c.tok !== undefined ? { Authorization: `Bearer ${c.tok}` } : c.label === 'no token' ? {} : { Authorization: `Bearer ${tok}` }) },
          body: c.body,
        }),
        c.label,
      )
      const text = await response.text()
      let body: any = null
      try {
        body = JSON.parse(text)
      } catch {
        body = text
      }
      if (response.status < 400 || response.status > 499 || typeof body?.code !== 'string' || typeof body?.message !== 'string') {
        failures.push({ label: c.label, got: { status: response.status, body: text.slice(0, 300) } })
      }
    }

    // Reads with hostile paths and queries.
    const reads = [
      `/v1/threads/${encodeURIComponent('a/b')}`,
      `/v1/threads/${encodeURIComponent('line\nbreak')}`,
      `/v1/threads/${encodeURIComponent('x'.repeat(300))}`,
      `/v1/threads/${encodeURIComponent('../../etc')}/events`,
      `/v1/threads/no-such-thread`,
      `/v1/threads/${threadId}/events?after=-1`,
      `/v1/threads/${threadId}/events?after=abc`,
      `/v1/threads/${threadId}/events?after=1.5`,
      `/v1/threads/${threadId}/events?limit=0`,
      `/v1/threads/${threadId}/events?limit=100000`,
      `/v1/threads/${threadId}/nothing`,
      `/v1/workspaces/${encodeURIComponent('a/b')}/threads`,
      `/v1/workspaces/ws-test/threads?archived=maybe`,
      `/v1/workspaces/ws-elsewhere/threads`,
      `/v1/ws?threadId=${threadId}`,
      `/v1/no-such-route`,
    ]
    for (const path of reads) {
      const read = await withTimeout(api(path, { token: tok }), path)
      if (read.status < 400 || read.status > 499 || typeof read.body?.code !== 'string') failures.push({ label: `GET ${path}`, got: read })
    }
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const response = await withTimeout(api('/v1/commands', { method, token: tok, body: valid() }), method)
      if (response.status < 400 || response.status > 499) failures.push({ label: `${method} /v1/commands`, got: response })
    }

    expect(cases.length + reads.length).toBeGreaterThan(140)
    expect(failures, `seed ${SEED}`).toEqual([])
    expect(await logOf(tok, threadId)).toEqual(before)
    expect(await logOf(tok, otherThreadId)).toEqual(otherBefore)
    // Nothing leaked into the prototypes inside the object either.
    const polluted = await runInDurableObject(env.THREADS.get(env.THREADS.idFromName(threadId)), () => ({ a: ({} as any).polluted, b: ({} as any).scopes }))
    expect(polluted).toEqual({ a: undefined, b: undefined })
  })

  it('should answer every malformed or hostile client frame with an error frame and change no log', async () => {
    const rng = prng(SEED + 1)
    const tok = await token()
    const threadId = await createThread(tok)
    const otherThreadId = await createThread(tok)
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'the one real message' })
    const before = await logOf(tok, threadId)
    const otherBefore = await logOf(tok, otherThreadId)
    const socket = await connect(`/v1/ws?threadId=${threadId}`, tok)
    const failures: Failure[] = []

    const frames = Array.from({ length: 220 }, () => brokenFrame(rng, threadId, otherThreadId))
    for (const { label, frame } of frames) {
      const answer = await exchange(socket, frame, label)
      if (!isClientError(answer)) failures.push({ label, got: answer })
    }
    // Still a working socket: a real request gets a real answer, and nothing was subscribed.
    const alive = await socket.request('alive', 'getThreadProjection', { threadId })
    expect(alive.result.sequence).toBe(before.length)
    expect(socket.frames.filter((f) => f.subscription !== undefined)).toEqual([])
    // Oversized: refused with payload_too_large (or the socket is closed by the runtime), no crash.
    const oversize = await exchange(socket, JSON.stringify({ id: 'big', method: 'getThreadProjection', params: { threadId, pad: 'p'.repeat(1024 * 1024) } }), 'oversize')
    if (!(oversize.closed || oversize.error?.code === 'payload_too_large')) failures.push({ label: 'oversize frame', got: JSON.stringify(oversize).slice(0, 300) })

    expect(failures, `seed ${SEED + 1}`).toEqual([])
    expect(await logOf(tok, threadId)).toEqual(before)
    expect(await logOf(tok, otherThreadId)).toEqual(otherBefore)
    socket.close()
  })

  it('should refuse sockets with the wrong token or scope at the upgrade', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const failures: Failure[] = []
    const attempts: Array<[string, string, string, 'client' | 'runner']> = [
      ['operate-only token on a client socket', `/v1/ws?threadId=${threadId}`, await token({ scopes: ['operate'] }), 'client'],
      ['runner token on a client socket', `/v1/ws?threadId=${threadId}`, await runnerToken(), 'client'],
      ['client token on a runner link', `/v1/runner/threads/${threadId}/link`, tok, 'runner'],
      ['client token on the control socket', '/v1/runner/control?workspaceId=ws-test', tok, 'runner'],
      ['runner token for another workspace', '/v1/runner/control?workspaceId=ws-test', await runnerToken(['ws-elsewhere']), 'runner'],
      ['shell of another workspace', '/v1/ws?workspaceId=ws-elsewhere', tok, 'client'],
      ['both threadId and workspaceId', `/v1/ws?threadId=${threadId}&workspaceId=ws-test`, tok, 'client'],
      ['neither threadId nor workspaceId', '/v1/ws', tok, 'client'],
      ['thread id with a slash', `/v1/ws?threadId=${encodeURIComponent('a/b')}`, tok, 'client'],
      ['thread id with a newline', `/v1/ws?threadId=${encodeURIComponent('a\nb')}`, tok, 'client'],
      ['garbage token', `/v1/ws?threadId=${threadId}`, 'garbage', 'client'],
    ]
    for (const [label, path, t, role] of attempts) {
      const outcome = await withTimeout(
        connect(path, t, role).then(
          (s) => {
            s.close()
            return 'upgraded'
          },
          (error: Error) => error.message,
        ),
        label,
      )
      if (!/^upgrade failed: 4\d\d /.test(outcome)) failures.push({ label, got: outcome })
    }
    // Without an Upgrade header at all: 426.
    const plain = await api(`/v1/ws?threadId=${threadId}`, { token: tok })
    expect(plain.status).toBe(426)
    expect(failures).toEqual([])
  })

  it('should refuse hostile runner link, control and shell frames and change no log', async () => {
    const rng = prng(SEED + 2)
    const workspaceId = uniqueId('ws-fuzz')
    const tok = await token({ workspaces: [workspaceId] })
    const threadId = await createThread(tok, undefined, { workspaceId })
    const before = await logOf(tok, threadId)
    const failures: Failure[] = []
    const runner = await ScriptedRunner.start({ workspaceId })

    // Link frames before hello, and hellos that are not hellos.
    const raw = await connect(`/v1/runner/threads/${threadId}/link`, runner.tok, 'runner')
    const preHello = [
      'junk',
      '',
      '{}',
      '[]',
      JSON.stringify({ type: 'hello' }),
      JSON.stringify({ type: 'hello', protocolVersion: '1', runnerId: runner.runnerId, epoch: runner.epoch }),
      JSON.stringify({ type: 'hello', protocolVersion: 1, runnerId: '', epoch: runner.epoch }),
      JSON.stringify({ type: 'hello', protocolVersion: 1, runnerId: runner.runnerId, epoch: 0 }),
      JSON.stringify({ type: 'hello', protocolVersion: 1, runnerId: runner.runnerId, epoch: -3 }),
      JSON.stringify({ type: 'hello', protocolVersion: 1, runnerId: 'r'.repeat(129), epoch: runner.epoch }),
      JSON.stringify({ type: 'hello', protocolVersion: 1, runnerId: runner.runnerId, epoch: runner.epoch, admin: true }),
      JSON.stringify({ type: 'welcome', protocolVersion: 1, lastSeq: 0 }),
      JSON.stringify({ id: 1, method: 'getThreadProjection', params: { threadId } }),
    ]
    for (const frame of preHello) {
      const answer = await exchange(raw, frame, `pre-hello ${frame.slice(0, 40)}`)
      if (!isRefusal(answer)) failures.push({ label: `pre-hello ${frame.slice(0, 60)}`, got: answer })
    }
    raw.close()

    // Batches that break the schema, on a link that said hello properly.
    const link = await runner.link(threadId)
    const event = () =>
      pick(rng, [
        { type: 'turn.exploded' },
        { type: 'item.updated', runId: 'a/b', nativeItemId: 'x', parentNativeItemId: null, status: 'running', content: { type: 'assistant_message', text: 'x' } },
        { type: 'item.updated', runId: 'r', nativeItemId: '', parentNativeItemId: null, status: 'running', content: { type: 'assistant_message', text: 'x' } },
        { type: 'item.updated', runId: 'r', nativeItemId: 'x', parentNativeItemId: null, status: 'exploding', content: { type: 'assistant_message', text: 'x' } },
        { type: 'turn.completed', runId: 'r', attemptId: 'a', nativeTurnId: null, status: 'completed' },
        { type: 'effect.accepted', effectId: 5 },
        { type: 'session.started', provider: 'gpt-9', model: null },
        { type: 'usage.updated', runId: 'r', usage: { inputTokens: -1 } },
        { type: 'workspace.features', checkpoints: 'maybe' },
        { type: 'workspace.features', checkpoints: 'available', __proto__: { polluted: true }, extra: 1 },
        null,
        'event',
      ])
    const batches: Array<[string, unknown]> = [
      ['no events', { type: 'batch', epoch: runner.epoch, seq: 1, events: [] }],
      ['501 events', { type: 'batch', epoch: runner.epoch, seq: 1, events: Array.from({ length: 501 }, () => ({ type: 'workspace.features', checkpoints: 'available' })) }],
      ['seq 0', { type: 'batch', epoch: runner.epoch, seq: 0, events: [{ type: 'workspace.features', checkpoints: 'available' }] }],
      ['seq -1', { type: 'batch', epoch: runner.epoch, seq: -1, events: [{ type: 'workspace.features', checkpoints: 'available' }] }],
      ['seq as text', { type: 'batch', epoch: runner.epoch, seq: '1', events: [{ type: 'workspace.features', checkpoints: 'available' }] }],
      ['no epoch', { type: 'batch', seq: 1, events: [{ type: 'workspace.features', checkpoints: 'available' }] }],
      ['delta with negative offset', { type: 'delta', itemId: 'i', offset: -1, text: 'x' }],
      ['delta with a numeric text', { type: 'delta', itemId: 'i', offset: 0, text: 5 }],
      ['unknown frame type', { type: 'shutdown' }],
    ]
    for (let i = 0; i < 30; i++) {
      const events = Array.from({ length: 1 + int(rng, 3) }, event)
      batches.push([`hostile events ${JSON.stringify(events).slice(0, 80)}`, { type: 'batch', epoch: runner.epoch, seq: 1, events }])
    }
    for (const [label, frame] of batches) {
      const answer = await exchange(link.socket, JSON.stringify(frame), label)
      if (!isRefusal(answer) || answer.error.code !== 'invalid_request') failures.push({ label, got: answer })
    }
    // The link still works: a real (empty-effect) batch is taken as seq 1.
    expect(await link.batch([{ type: 'workspace.features', checkpoints: 'unavailable' }])).toEqual({ type: 'ack', seq: 1 })
    const afterLink = await logOf(tok, threadId)
    expect(afterLink.slice(0, before.length)).toEqual(before)
    expect(afterLink.slice(before.length).map((e: any) => e.event.type)).toEqual(['thread.updated'])

    // Control frames: junk is refused and the socket stays; a status before hello closes it.
    const control = await connect(`/v1/runner/control?workspaceId=${workspaceId}`, runner.tok, 'runner')
    for (const frame of ['junk', '{}', JSON.stringify({ type: 'hello', protocolVersion: 1, runnerId: 'r', epoch: 'one', workspaceRoot: null }), JSON.stringify({ type: 'status', providers: 'all' })]) {
      const answer = await exchange(control, frame, `control ${frame}`)
      if (!isRefusal(answer)) failures.push({ label: `control ${frame}`, got: answer })
    }
    const early = await exchange(control, JSON.stringify({ type: 'status', providers: [] }), 'status before hello')
    if (!isRefusal(early)) failures.push({ label: 'status before hello', got: early })
    await control.until(() => control.closed)

    // Shell socket frames.
    const shell = await connect(`/v1/ws?workspaceId=${workspaceId}`, tok)
    const shellFrames: string[] = [
      'junk',
      '[]',
      JSON.stringify({ id: 1, method: 'subscribeShell', params: { workspaceId: 'ws-elsewhere' } }),
      JSON.stringify({ id: 2, method: 'subscribeShell', params: { workspaceId, archived: 'yes' } }),
      JSON.stringify({ id: 3, method: 'subscribeThread', params: { threadId } }),
      JSON.stringify({ id: 4, method: 'getThreadProjection', params: { threadId: 'a/b' } }),
      JSON.stringify({ id: 5, method: 'getThreadProjection', params: { threadId: 'no-such-thread' } }),
      JSON.stringify({ id: 6, method: 'dispatchCommand', params: { type: 'thread.metadata.update', threadId, title: 5 } }),
      JSON.stringify({ id: 7, method: 'dispatchCommand', params: { nothing: true } }),
      JSON.stringify({ id: 8, method: 'dispatchCommand', params: { threadId: 'a/b', type: 'thread.archive', commandId: 'c' } }),
      JSON.stringify({ id: 9, method: 'dispatchCommand', params: { threadId: { toString: 1 }, type: 'thread.archive', commandId: 'c' } }),
      JSON.stringify({ id: 10, method: 'explode', params: {} }),
    ]
    for (const frame of shellFrames) {
      const answer = await exchange(shell, frame, `shell ${frame}`)
      if (!isClientError(answer)) failures.push({ label: `shell ${frame}`, got: answer })
    }
    shell.close()

    expect(failures, `seed ${SEED + 2}`).toEqual([])
    expect(await logOf(tok, threadId)).toEqual(afterLink)
    runner.close()
  })
})
