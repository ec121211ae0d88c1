/** @module Server requests → runtime requests, and Loom decisions / answers → JSON-RPC results. */
import { describe, expect, it } from 'vitest'
import { AnswerError, answerServerRequest, automaticAnswer, describeServerRequest } from './approvals.ts'
import type { ServerRequest } from './protocol.ts'

const req = (method: string, params: Record<string, unknown>, id = 0) => ({ id, method, params }) as unknown as ServerRequest

// As 0.169 sends them (providers-offline.md §2.5; the probe answers).
const command = req('item/commandExecution/requestApproval', {
  kind: 'command', threadId: 't', turnId: 'u', itemId: 'call_1', startedAtMs: 1, environmentId: 'local', reason: 'fake model asks to run: echo hi',
  command: "/bin/bash -lc 'echo hi'", cwd: '/w', commandActions: [{ type: 'unknown', command: 'echo hi' }],
  proposedExecpolicyAmendment: ['echo', 'hi'], availableDecisions: ['accept', { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['echo', 'hi'] } }, 'cancel'],
})
const fileChange = req('item/fileChange/requestApproval', { threadId: 't', turnId: 'u', itemId: 'call_2', startedAtMs: 1, reason: null, grantRoot: null })
const permissions = req('item/permissions/requestApproval', {
  threadId: 't', turnId: 'u', itemId: 'call_3', environmentId: null, startedAtMs: 1, cwd: '/w', reason: 'needs network',
  permissions: { network: { enabled: true }, fileSystem: null },
})
const question = req('item/tool/requestUserInput', {
  threadId: 't', turnId: 'u', itemId: 'call_4', isBlocking: true, autoResolutionMs: null,
  questions: [{ id: 'q1', header: 'Question', question: 'Which color?', isOther: true, isSecret: false, options: [{ label: 'Red', description: 'Choose Red' }] }],
})

describe('describeServerRequest', () => {
  it('should open a command approval with Codex decisions, always offering decline', () => {
    expect(describeServerRequest(command)).toEqual({
      kind: 'command', threadId: 't', turnId: 'u', nativeItemId: 'call_1', prompt: 'fake model asks to run: echo hi',
      detail: { command: "/bin/bash -lc 'echo hi'", cwd: '/w', reason: 'fake model asks to run: echo hi', approvalKind: 'command', network: null },
      questions: null, availableDecisions: ['accept', 'decline', 'cancel'],
    })
  })

  it('should open file change, permissions and user-input requests', () => {
    expect(describeServerRequest(fileChange)).toMatchObject({ kind: 'file-change', nativeItemId: 'call_2', prompt: 'Apply file changes', availableDecisions: ['accept', 'acceptForSession', 'decline', 'cancel'] })
    expect(describeServerRequest(permissions)).toMatchObject({ kind: 'permissions', prompt: 'needs network', detail: { permissions: { network: { enabled: true }, fileSystem: null } } })
    expect(describeServerRequest(question)).toMatchObject({
      kind: 'user_input', prompt: 'Which color?',
      questions: [{ id: 'q1', header: 'Question', question: 'Which color?', options: [{ label: 'Red', description: 'Choose Red' }], allowsFreeText: true }],
    })
  })

  it('should open the legacy approvals too, and nothing for other requests', () => {
    expect(describeServerRequest(req('execCommandApproval', { conversationId: 't', callId: 'c', approvalId: null, command: ['ls', '-l'], cwd: '/w', reason: null, parsedCmd: [] }))).toMatchObject({ kind: 'command', threadId: 't', prompt: 'Run ls -l' })
    expect(describeServerRequest(req('item/tool/call', { threadId: 't', turnId: 'u', callId: 'c', namespace: null, tool: 'x', arguments: {} }))).toBeNull()
  })
})

describe('answerServerRequest', () => {
  it.each(['accept', 'acceptForSession', 'decline', 'cancel'] as const)('should pass the %s decision to command and file approvals', (decision) => {
    expect(answerServerRequest(command, decision, null)).toEqual({ decision })
    expect(answerServerRequest(fileChange, decision, null)).toEqual({ decision })
  })

  it('should grant requested permissions for the turn or the session, and nothing on decline', () => {
    expect(answerServerRequest(permissions, 'accept', null)).toEqual({ permissions: { network: { enabled: true } }, scope: 'turn' })
    expect(answerServerRequest(permissions, 'acceptForSession', null)).toEqual({ permissions: { network: { enabled: true } }, scope: 'session' })
    expect(answerServerRequest(permissions, 'decline', null)).toEqual({ permissions: {}, scope: 'turn' })
  })

  it('should send answers as {answers: {id: {answers}}}, and none on cancel', () => {
    expect(answerServerRequest(question, null, { q1: ['Red'] })).toEqual({ answers: { q1: { answers: ['Red'] } } })
    expect(answerServerRequest(question, 'cancel', null)).toEqual({ answers: {} })
    expect(() => answerServerRequest(question, null, null)).toThrow(AnswerError)
  })

  it('should refuse an approval without a decision, and map legacy decisions', () => {
    expect(() => answerServerRequest(command, null, { q: ['x'] })).toThrow(AnswerError)
    const legacy = req('applyPatchApproval', { conversationId: 't', callId: 'c', fileChanges: {}, reason: null, grantRoot: null })
    expect(answerServerRequest(legacy, 'acceptForSession', null)).toEqual({ decision: 'approved_for_session' })
    expect(answerServerRequest(legacy, 'cancel', null)).toEqual({ decision: 'abort' })
  })
})

describe('automaticAnswer', () => {
  it('should decline elicitations, fail dynamic tool calls and refuse unknown requests', () => {
    expect(automaticAnswer(req('mcpServer/elicitation/request', { threadId: 't', turnId: null, serverName: 's', mode: 'form', message: 'm', requestedSchema: {}, _meta: null }))).toEqual({ result: { action: 'decline', content: null, _meta: null } })
    expect(automaticAnswer(req('item/tool/call', { threadId: 't', turnId: 'u', callId: 'c', namespace: null, tool: 'x', arguments: {} }))).toMatchObject({ result: { success: false } })
    expect(automaticAnswer(req('account/chatgptAuthTokens/refresh', {}))).toMatchObject({ error: expect.stringContaining('account/chatgptAuthTokens/refresh') })
  })
})
