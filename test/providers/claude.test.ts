import { query, type CanUseTool, type SDKMessage, type SDKResultMessage } from '@anthropic-ai/claude-agent-sdk'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { claudeEnv, fakeAnthropicModel, startFakeAnthropic, type FakeModelServer } from '../../fixtures/fake-models/index.ts'

interface Run {
  messages: SDKMessage[]
  result?: SDKResultMessage
  thrown?: Error
}

describe('Claude Agent SDK against the fake Messages API', () => {
  let root: string
  let workspace: string
  let server: FakeModelServer
  let sessionId: string

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'loom-claude-smoke-'))
    workspace = join(root, 'workspace')
    mkdirSync(workspace)
    server = await startFakeAnthropic()
    sessionId = randomUUID()
  })

  afterEach(async () => {
    await server?.close()
    rmSync(root, { recursive: true, force: true })
  })

  /** One-shot `query()`: collects every SDK message; the generator's throw is kept, not raised. */
  async function run(prompt: string, canUseTool?: CanUseTool): Promise<Run> {
    const q = query({
      prompt,
      options: {
        cwd: workspace,
        model: fakeAnthropicModel,
        settingSources: [],
        permissionMode: 'default',
        sessionId,
        env: claudeEnv(server.url, root),
        ...(canUseTool ? { canUseTool } : {}),
      },
    })
    const outcome: Run = { messages: [] }
    try {
      for await (const message of q) {
        outcome.messages.push(message)
        if (message.type === 'result') outcome.result = message
      }
    } catch (error) {
      outcome.thrown = error instanceof Error ? error : new Error(String(error))
    } finally {
      q.close()
    }
    return outcome
  }

  const resultText = (r: Run) => (r.result && 'result' in r.result ? r.result.result : undefined)

  it('should complete a streamed text turn', async () => {
    const outcome = await run('hello loom')
    expect(outcome.thrown).toBeUndefined()
    expect(outcome.result).toMatchObject({ subtype: 'success', is_error: false, session_id: sessionId })
    expect(resultText(outcome)).toBe('reply 1: hello loom')
    const calls = server.requests.modelCalls(sessionId)
    expect(calls.length).toBe(1)
    expect(calls[0]?.headers['x-api-key']).toBe('test')
    expect(calls[0]?.view).toMatchObject({ stream: true, lastUserText: 'hello loom' })
  })

  it('should run Bash after canUseTool allows it, then finish with text', async () => {
    const asked: Array<{ tool: string; input: Record<string, unknown> }> = []
    const outcome = await run('[[bash:touch f && echo hi]]', async (tool, input) => {
      asked.push({ tool, input })
      return { behavior: 'allow', updatedInput: input }
    })
    expect(asked).toEqual([{ tool: 'Bash', input: expect.objectContaining({ command: 'touch f && echo hi' }) }])
    expect(resultText(outcome)).toBe('done: hi')
    expect(existsSync(join(workspace, 'f'))).toBe(true)
    const calls = server.requests.modelCalls(sessionId)
    expect(calls.map((c) => c.reply)).toEqual(['shell', 'text'])
    expect(calls[1]?.view?.lastToolOutput).toBe('hi')
  })

  it('should fail the turn on a scripted HTTP 500', async () => {
    server.script(sessionId, [{ kind: 'fail', status: 500 }])
    const outcome = await run('this request fails')
    expect(outcome.result).toMatchObject({ is_error: true, api_error_status: 500 })
    expect(outcome.thrown?.message).toContain('500')
    expect(server.requests.modelCalls(sessionId).map((c) => c.reply)).toEqual(['fail:500'])
  })

  it('should accept the non-streaming reply the CLI falls back to', async () => {
    const outcome = await run('[[fallback]] quietly')
    expect(resultText(outcome)).toBe('reply 1: quietly')
    expect(server.requests.modelCalls(sessionId).map((c) => c.view?.stream)).toEqual([true, false])
  })
})
