import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { writeCodexHome } from '../../fixtures/fake-models/codex-home.ts'
import { startFakeOpenAI, type FakeModelServer } from '../../fixtures/fake-models/index.ts'
import { startCodex, turnCompleted, type CodexClient, type RpcMessage } from './codex-client.ts'

interface Turn {
  id: string
  status: string
  items: Array<Record<string, any>>
  error: Record<string, any> | null
}

describe('codex app-server against the fake Responses API', () => {
  let root: string
  let workspace: string
  let server: FakeModelServer
  let codex: CodexClient
  let threadId: string

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'loom-codex-smoke-'))
    workspace = join(root, 'workspace')
    mkdirSync(workspace)
    server = await startFakeOpenAI()
    writeCodexHome(join(root, 'codex-home'), { baseUrl: server.url })
    codex = await startCodex({ CODEX_HOME: join(root, 'codex-home'), HOME: root, TMPDIR: root })
    const started = await codex.request('thread/start', { cwd: workspace })
    threadId = (started.thread as { id: string }).id
  })

  afterEach(async () => {
    await codex?.close()
    await server?.close()
    rmSync(root, { recursive: true, force: true })
  })

  /** Starts a turn, answers every server request with `answer`, resolves with the finished turn. */
  async function runTurn(text: string, answer: (m: RpcMessage) => unknown = () => ({ decision: 'accept' })): Promise<Turn> {
    const onRequest = (m: RpcMessage) => m.method !== undefined && m.id !== undefined
    const answered = new Set<number | string>()
    const timer = setInterval(() => {
      for (const m of codex.received.filter(onRequest)) {
        if (m.id === undefined || answered.has(m.id)) continue
        answered.add(m.id)
        codex.respond(m.id, answer(m))
      }
    }, 20)
    try {
      const started = await codex.request('turn/start', { threadId, input: [{ type: 'text', text, text_elements: [] }] })
      const turnId = (started.turn as { id: string }).id
      return (await turnCompleted(codex, turnId)).params?.turn as Turn
    } finally {
      clearInterval(timer)
    }
  }

  const notifications = (method: string) => codex.received.filter((m) => m.method === method)

  it('should complete a streamed text turn', async () => {
    const turn = await runTurn('hello loom')
    expect(turn.status).toBe('completed')
    expect(turn.items.find((i) => i.type === 'agentMessage')?.text).toBe('reply 1: hello loom')
    expect(notifications('item/agentMessage/delta').length).toBeGreaterThan(1)
    const calls = server.requests.modelCalls(threadId)
    expect(calls.length).toBe(1)
    expect(calls[0]?.headers.authorization).toBe('Bearer test-key')
    expect(calls[0]?.view?.lastUserText).toBe('hello loom')
  })

  it('should raise a command approval for an escalated command and finish after accept', async () => {
    const turn = await runTurn('[[escalate:echo hi]]')
    const approval = notifications('item/commandExecution/requestApproval')
    expect(approval.length).toBe(1)
    expect(approval[0]?.params?.command).toContain('echo hi')
    expect(turn.status).toBe('completed')
    const command = notifications('item/completed').map((m) => m.params?.item as Record<string, any>).find((i) => i.type === 'commandExecution')
    expect(command).toMatchObject({ status: 'completed', exitCode: 0, aggregatedOutput: 'hi\n' })
    expect(turn.items.find((i) => i.type === 'agentMessage')?.text).toBe('done: hi')
    const calls = server.requests.modelCalls(threadId)
    expect(calls.map((c) => c.reply)).toEqual(['shell', 'text'])
    expect(calls[1]?.view?.history.filter((h) => h.type === 'tool_output').map((h) => h.text).join('')).toContain('hi')
  })

  it('should apply a patch after the file change approval', async () => {
    const turn = await runTurn('[[patch:hello.txt:hello from patch]]')
    expect(notifications('item/fileChange/requestApproval').length).toBe(1)
    expect(turn.status).toBe('completed')
    expect(readFileSync(join(workspace, 'hello.txt'), 'utf8')).toBe('hello from patch\n')
    expect(server.requests.modelCalls(threadId).map((c) => c.reply)).toEqual(['write', 'text'])
  })

  it('should fail the turn on a scripted HTTP 500', async () => {
    server.script(threadId, [{ kind: 'fail', status: 500 }])
    const turn = await runTurn('this request fails')
    expect(turn.status).toBe('failed')
    expect(turn.error?.codexErrorInfo).toBe('internalServerError')
    expect(server.requests.modelCalls(threadId).map((c) => c.reply)).toEqual(['fail:500'])
    expect(server.pending(threadId)).toBe(0)
  })
})
