/** @module Routing and log attribution of a shared app-server connection, over an in-memory process. */
import { describe, expect, it } from 'vitest'
import type { NativeLog } from '../native-log.ts'
import { CodexConnection, type ConnectionListener } from './connection.ts'
import type { CodexNotification, ServerRequest, ServerRequestResult } from './protocol.ts'
import type { CodexRpcError } from './rpc-error.ts'
import { FakeProcess } from './testing/fake-process.ts'

const tick = () => new Promise((resolve) => setImmediate(resolve))

function listener(name: string, claims: (f: CodexNotification | ServerRequest) => boolean = () => false) {
  const log: string[] = []
  const seen: string[] = []
  const closed: Array<{ error: CodexRpcError; expected: boolean }> = []
  const nativeLog: NativeLog = {
    outbound: (frame) => log.push(`out ${frameName(frame)}`),
    inbound: (frame) => log.push(`in ${frameName(frame)}`),
    exit: (status) => log.push(`exit ${status}`),
  }
  const l: ConnectionListener = {
    log: nativeLog,
    notification: (n) => seen.push(n.method),
    serverRequest: async (r): Promise<ServerRequestResult> => {
      seen.push(`request ${r.method}`)
      return { decision: 'accept' }
    },
    claims,
    closed: (error, expected) => closed.push({ error, expected }),
  }
  return { name, l, log, seen, closed }
}

const frameName = (frame: unknown): string => {
  const f = frame as { id?: unknown; method?: string }
  return f.method ?? `#${String(f.id)}`
}

async function connected() {
  const child = new FakeProcess()
  const connection = new CodexConnection({ env: {}, cwd: '/', clientInfo: { name: 't', title: null, version: '0' }, spawn: () => child })
  const answer = async () => {
    await tick()
    const pending = child.written.filter((f) => f.id !== undefined && f.method !== undefined)
    const last = pending.at(-1)
    if (last?.method === 'initialize') child.send({ id: last.id, result: { userAgent: 'x', codexHome: '/h', platformFamily: 'unix', platformOs: 'linux' } })
    else if (last?.method === 'thread/start') child.send({ id: last.id, result: { thread: { id: `thread-${String(last.id)}` } } })
    await tick()
  }
  return { child, connection, answer }
}

describe('CodexConnection', () => {
  it('should initialize once and attribute each request and answer to the session that sent it', async () => {
    const { child, connection, answer } = await connected()
    const a = listener('a')
    const b = listener('b')
    connection.attach(a.l)
    const initA = connection.initialize()
    const initB = connection.initialize()
    await answer()
    await Promise.all([initA, initB])
    connection.attach(b.l)
    const started = connection.request(b.l, 'thread/start', { cwd: '/w' })
    await answer()
    await expect(started).resolves.toEqual({ thread: { id: 'thread-2' } })
    expect(child.written.filter((f) => f.method === 'initialize')).toHaveLength(1)
    expect(a.log).toEqual(['out initialize', 'in #1', 'out initialized'])
    // b joined later: it gets the handshake first, then only its own traffic.
    expect(b.log).toEqual(['out initialize', 'in #1', 'out initialized', 'out thread/start', 'in #2'])
  })

  it('should route thread frames to their owner, threadless ones to all, and let a session claim a sub-agent thread', async () => {
    const { child, connection, answer } = await connected()
    const a = listener('a', (f) => f.method === 'turn/started' && (f.params as { turn: { rootTurnId: string } }).turn.rootTurnId === 'root-turn')
    const b = listener('b')
    connection.attach(a.l)
    connection.attach(b.l)
    const init = connection.initialize()
    await answer()
    await init
    connection.own('ta', a.l)
    connection.own('tb', b.l)
    child.send({ method: 'turn/started', params: { threadId: 'ta', turn: { id: 'x', rootTurnId: 'x' } } })
    child.send({ method: 'item/started', params: { threadId: 'tb', turnId: 'y', item: { type: 'agentMessage', id: 'm' } } })
    child.send({ method: 'account/rateLimits/updated', params: { rateLimits: {} } })
    child.send({ method: 'thread/status/changed', params: { threadId: 'stranger', status: { type: 'idle' } } })
    child.send({ method: 'turn/started', params: { threadId: 'child', turn: { id: 'c', rootTurnId: 'root-turn' } } })
    child.send({ method: 'item/completed', params: { threadId: 'child', turnId: 'c', item: { type: 'agentMessage', id: 'cm' } } })
    await tick()
    expect(a.seen).toEqual(['turn/started', 'account/rateLimits/updated', 'turn/started', 'item/completed'])
    expect(b.seen).toEqual(['item/started', 'account/rateLimits/updated'])
    // A frame about a thread nobody owns reaches no session, but every log keeps it.
    expect(a.log.slice(3)).toEqual(['in turn/started', 'in account/rateLimits/updated', 'in thread/status/changed', 'in turn/started', 'in item/completed'])
    expect(b.log.slice(3)).toEqual(['in item/started', 'in account/rateLimits/updated', 'in thread/status/changed'])
  })

  it('should answer a server request through its owner and log the answer there', async () => {
    const { child, connection, answer } = await connected()
    const a = listener('a')
    const b = listener('b')
    connection.attach(a.l)
    connection.attach(b.l)
    const init = connection.initialize()
    await answer()
    await init
    connection.own('ta', a.l)
    child.send({ id: 0, method: 'item/commandExecution/requestApproval', params: { threadId: 'ta', turnId: 'u', itemId: 'i' } })
    child.send({ id: 1, method: 'item/fileChange/requestApproval', params: { threadId: 'nobody', turnId: 'u', itemId: 'j' } })
    await tick()
    await tick()
    expect(a.seen).toEqual(['request item/commandExecution/requestApproval'])
    expect(child.written).toContainEqual({ id: 0, result: { decision: 'accept' } })
    expect(child.written).toContainEqual({ id: 1, error: expect.objectContaining({ code: -32601 }) })
    expect(a.log.slice(3)).toEqual(['in item/commandExecution/requestApproval', 'in item/fileChange/requestApproval', 'out #0', 'out #1'])
    expect(b.log.slice(3)).toEqual(['in item/fileChange/requestApproval', 'out #1'])
  })

  it('should tell every session when the process dies, with the stderr tail, and that a close was expected', async () => {
    const dying = await connected()
    const a = listener('a')
    dying.connection.attach(a.l)
    dying.child.stderr.write('panic: boom\n')
    await tick()
    dying.child.exit(101, null)
    await dying.connection.exited
    expect(a.closed).toHaveLength(1)
    expect(a.closed[0]?.expected).toBe(false)
    expect(a.closed[0]?.error.message).toMatch(/exited \(code 101.*panic: boom/s)
    expect(dying.connection.alive).toBe(false)

    const closing = await connected()
    const b = listener('b')
    closing.connection.attach(b.l)
    await closing.connection.close()
    expect(b.closed.map((c) => c.expected)).toEqual([true])
  })
})
