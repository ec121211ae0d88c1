/** @module Tests for the Codex JSON-RPC client against an in-memory fake process. */
import { describe, expect, it, vi } from 'vitest'
import type { JsonFrame } from './jsonl-decoder.ts'
import { FakeProcess } from './testing/fake-process.ts'
import { CodexRpcClient, type CodexFrameEvent, type CodexRpcClientOptions } from './rpc-client.ts'
import { CodexRpcError } from './rpc-error.ts'

const clientInfo = { name: 'loom-test', title: null, version: '0.0.0' }
const tick = () => new Promise((resolve) => setImmediate(resolve))

function setup(options: Partial<CodexRpcClientOptions> = {}) {
  const child = new FakeProcess()
  const protocolErrors: CodexRpcError[] = []
  const client = new CodexRpcClient(child, {
    clientInfo,
    onProtocolError: (e) => protocolErrors.push(e),
    ...options,
  })
  return { child, client, protocolErrors }
}

/** Answers the initialize request the client sent first. */
async function handshake(child: FakeProcess): Promise<void> {
  await tick()
  const init = child.written.find((f) => f.method === 'initialize')
  child.send({ id: init?.id, result: { userAgent: 'x', codexHome: '/h', platformFamily: 'unix', platformOs: 'linux' } })
  await tick()
}

describe('CodexRpcClient', () => {
  it('should run initialize and initialized once for concurrent callers, then send the requests', async () => {
    const { child, client } = setup()
    const a = client.request('thread/start', { cwd: '/w' })
    const b = client.request('model/list', {})
    const c = client.initialize()
    await tick()
    expect(child.written).toEqual([
      {
        id: 1,
        method: 'initialize',
        params: { clientInfo, capabilities: { experimentalApi: true, requestAttestation: false } },
      },
    ])
    await handshake(child)
    await expect(c).resolves.toMatchObject({ platformOs: 'linux' })
    expect(child.written.map((f) => f.method)).toEqual(['initialize', 'initialized', 'thread/start', 'model/list'])
    expect(child.written.every((f) => !('jsonrpc' in f))).toBe(true)
    expect(child.written[1]).toEqual({ method: 'initialized' })
    const [start, list] = child.written.slice(2)
    child.send({ id: list?.id, result: { data: [] } })
    child.send({ id: start?.id, result: { thread: { id: 't1' } } })
    await expect(a).resolves.toEqual({ thread: { id: 't1' } })
    await expect(b).resolves.toEqual({ data: [] })
    await client.initialize()
    expect(child.written.filter((f) => f.method === 'initialize')).toHaveLength(1)
  })

  it('should write a request synchronously once the handshake is done, so its frame can be attributed', async () => {
    const frames: CodexFrameEvent[] = []
    const { child, client } = setup({ onFrame: (e) => frames.push(e) })
    const init = client.initialize()
    await handshake(child)
    await init
    const before = frames.length
    void client.request('thread/read', { threadId: 't' })
    expect(frames.slice(before)).toEqual([{ dir: 'out', frame: { id: 2, method: 'thread/read', params: { threadId: 't' } } }])
  })

  it('should reject with a codex.rpc_error carrying the server error code', async () => {
    const { child, client } = setup()
    const reply = client.request('thread/revert', { threadId: 't', beforeTurnId: 'x' })
    await handshake(child)
    const sent = child.written.at(-1)
    child.send({ id: sent?.id, error: { code: -32600, message: 'unknown turn' } })
    const error = await reply.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CodexRpcError)
    expect(error).toMatchObject({ code: 'codex.rpc_error', rpcCode: -32600, method: 'thread/revert', message: 'unknown turn' })
  })

  it('should route server requests to the handler and write back {id, result} in their own id space', async () => {
    const onServerRequest = vi.fn(async () => ({ decision: 'accept' as const }))
    const { child, client } = setup({ onServerRequest })
    const read = client.request('thread/read', { threadId: 't' })
    await handshake(child)
    expect(child.written.at(-1)).toMatchObject({ id: 2, method: 'thread/read' })
    child.send({ id: 0, method: 'item/commandExecution/requestApproval', params: { threadId: 't', itemId: 'i' } })
    child.send({ id: 2, method: 'item/fileChange/requestApproval', params: { threadId: 't', itemId: 'j' } })
    await tick()
    expect(onServerRequest).toHaveBeenCalledWith(expect.objectContaining({ id: 0, method: 'item/commandExecution/requestApproval' }))
    expect(child.written.slice(-2)).toEqual([
      { id: 0, result: { decision: 'accept' } },
      { id: 2, result: { decision: 'accept' } },
    ])
    child.send({ id: 2, result: { thread: { id: 't' } } })
    await expect(read).resolves.toEqual({ thread: { id: 't' } })
  })

  it('should answer a failing handler with an error frame, and a missing handler with -32601', async () => {
    const failing = setup({
      onServerRequest: () => {
        throw new CodexRpcError({ code: 'codex.handler_failed', message: 'nope', rpcCode: -32000 })
      },
    })
    failing.child.send({ id: 7, method: 'item/tool/requestUserInput', params: {} })
    await tick()
    expect(failing.child.written.at(-1)).toEqual({ id: 7, error: { code: -32000, message: 'nope' } })
    expect(failing.protocolErrors.map((e) => e.code)).toEqual(['codex.handler_failed'])

    const bare = setup()
    bare.child.send({ id: 0, method: 'item/fileChange/requestApproval', params: {} })
    await tick()
    expect(bare.child.written.at(-1)).toMatchObject({ id: 0, error: { code: -32601 } })
  })

  it('should deliver notifications with emittedAtMs and keep going after a garbage line', async () => {
    const notifications: unknown[] = []
    const { child, protocolErrors } = setup({ onNotification: (n) => notifications.push(n) })
    child.send('WARNING: something odd\n')
    child.send({ method: 'turn/started', params: { threadId: 't' }, emittedAtMs: 5 })
    await tick()
    expect(notifications).toEqual([{ method: 'turn/started', params: { threadId: 't' }, emittedAtMs: 5 }])
    expect(protocolErrors.map((e) => e.code)).toEqual(['codex.protocol'])
  })

  it('should isolate a throwing notification listener', async () => {
    const seen: string[] = []
    const { child, protocolErrors } = setup({
      onNotification: (n) => {
        seen.push(n.method)
        if (n.method === 'error') throw new Error('listener bug')
      },
    })
    child.send({ method: 'error', params: {} })
    child.send({ method: 'turn/completed', params: {} })
    await tick()
    expect(seen).toEqual(['error', 'turn/completed'])
    expect(protocolErrors.map((e) => e.code)).toEqual(['codex.handler_failed'])
  })

  it('should show every frame in and out to the observer, in order', async () => {
    const frames: CodexFrameEvent[] = []
    const { child, client } = setup({ onFrame: (f) => frames.push(f) })
    const started = client.request('turn/interrupt', { threadId: 't', turnId: 'u' })
    await handshake(child)
    child.send({ id: 2, result: {} })
    await started
    expect(frames.map((f) => `${f.dir} ${String(f.frame.method ?? f.frame.id)}`)).toEqual([
      'out initialize',
      'in 1',
      'out initialized',
      'out turn/interrupt',
      'in 2',
    ])
  })

  it('should reject pending requests with codex.process_exited when the process exits', async () => {
    const { child, client } = setup()
    const pending = client.request('turn/start', { threadId: 't', input: [] })
    await handshake(child)
    child.stderr.write('thread panicked\n')
    await tick()
    child.exit(101, null)
    const error = await pending.catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'codex.process_exited', exit: { code: 101, signal: null } })
    expect((error as Error).message).toContain('thread panicked')
    await expect(client.exited).resolves.toEqual({ code: 101, signal: null })
    await expect(client.request('thread/read', { threadId: 't' })).rejects.toMatchObject({ code: 'codex.process_exited' })
  })

  it('should close by ending stdin, and escalate to signals when the process lingers', async () => {
    const polite = setup()
    await expect(polite.client.close(50)).resolves.toEqual({ code: 0, signal: null })
    expect(polite.child.signals).toEqual([])

    const stubborn = setup()
    stubborn.child.exitOnStdinEnd = false
    await expect(stubborn.client.close(20)).resolves.toEqual({ code: null, signal: 'SIGKILL' })
    expect(stubborn.child.signals).toEqual(['SIGTERM', 'SIGKILL'])
  })
})
