/** @module canUseTool asks as runtime requests, and Loom decisions as SDK permission results. */
import { describe, expect, it } from 'vitest'
import type { PermissionUpdate } from '@anthropic-ai/claude-agent-sdk'
import type { RunId } from '../../src/contracts/index.ts'
import { decisionResult, permissionAsk, permissionRequestFrame, requestOpened } from './permissions.ts'

const suggestions: PermissionUpdate[] = [
  { type: 'addRules', rules: [{ toolName: 'Bash', ruleContent: 'touch:*' }], behavior: 'allow', destination: 'localSettings' },
  { type: 'setMode', mode: 'acceptEdits', destination: 'session' },
]
const ask = permissionAsk('Bash', { command: 'touch f', description: 'Touch f' }, { toolUseID: 'toolu_1', suggestions, displayName: 'Bash', decisionReason: 'not read-only' })

describe('permission requests', () => {
  it('opens a command request keyed by the tool use id, nested under the tool item', () => {
    expect(requestOpened('run-1' as RunId, ask)).toEqual({
      type: 'request.opened',
      runId: 'run-1',
      nativeRequestId: 'toolu_1',
      nativeItemId: 'toolu_1',
      kind: 'command',
      prompt: 'Bash: touch f',
      detail: { toolName: 'Bash', input: { command: 'touch f', description: 'Touch f' }, blockedPath: null, description: null, decisionReason: 'not read-only', suggestions: 2 },
      questions: null,
      availableDecisions: ['accept', 'acceptForSession', 'decline', 'cancel'],
    })
    const write = permissionAsk('Write', { file_path: '/w/f' }, { toolUseID: 't2', title: 'Claude wants to write f' })
    expect(requestOpened('run-1' as RunId, write)).toMatchObject({ kind: 'file-change', prompt: 'Claude wants to write f', availableDecisions: ['accept', 'decline', 'cancel'] })
  })

  it('logs the ask without its signal', () => {
    expect(permissionRequestFrame(ask)).toMatchObject({ type: 'permission.request', toolName: 'Bash', input: { command: 'touch f' }, options: { toolUseID: 'toolu_1', suggestions } })
  })
})

describe('decisions', () => {
  it('accept allows with the input', () => {
    expect(decisionResult('accept', ask)).toEqual({
      result: { behavior: 'allow', updatedInput: ask.input, toolUseID: 'toolu_1', decisionClassification: 'user_temporary' },
      interrupt: false,
    })
  })

  it('acceptForSession adds the suggestions, scoped to the session only', () => {
    const { result } = decisionResult('acceptForSession', ask)
    expect(result).toMatchObject({ behavior: 'allow', decisionClassification: 'user_permanent' })
    expect(result.behavior === 'allow' && result.updatedPermissions?.map((u) => u.destination)).toEqual(['session', 'session'])
  })

  it('decline denies; cancel denies and interrupts', () => {
    expect(decisionResult('decline', ask)).toEqual({
      result: { behavior: 'deny', message: 'The user declined this action.', toolUseID: 'toolu_1', decisionClassification: 'user_reject' },
      interrupt: false,
    })
    expect(decisionResult('cancel', ask)).toMatchObject({ result: { behavior: 'deny', interrupt: true }, interrupt: true })
    expect(decisionResult(null, ask).result.behavior).toBe('deny')
  })
})

describe('AskUserQuestion', () => {
  const question = permissionAsk(
    'AskUserQuestion',
    { questions: [{ question: 'Which color?', header: 'Color', multiSelect: false, options: [{ label: 'red', description: 'Choose red' }, { label: 'blue', description: 'Choose blue' }] }] },
    { toolUseID: 'toolu_q' },
  )

  it('opens a user_input request carrying the questions, answerable only by answers or cancel', () => {
    expect(requestOpened('run-1' as RunId, question)).toEqual({
      type: 'request.opened',
      runId: 'run-1',
      nativeRequestId: 'toolu_q',
      nativeItemId: 'toolu_q',
      kind: 'user_input',
      prompt: 'Which color?',
      detail: { toolName: 'AskUserQuestion' },
      questions: [
        {
          id: 'q1',
          header: 'Color',
          question: 'Which color?',
          options: [
            { label: 'red', description: 'Choose red' },
            { label: 'blue', description: 'Choose blue' },
          ],
          allowsFreeText: true,
        },
      ],
      availableDecisions: ['cancel'],
    })
  })

  it('answers allow the call with the answers keyed by question text', () => {
    expect(decisionResult(null, question, { q1: ['red', 'blue'] })).toEqual({
      result: { behavior: 'allow', updatedInput: { ...question.input, answers: { 'Which color?': 'red, blue' } }, toolUseID: 'toolu_q', decisionClassification: 'user_temporary' },
      interrupt: false,
    })
  })

  it('no answers (or a cancel) still deny', () => {
    expect(decisionResult(null, question).result.behavior).toBe('deny')
    expect(decisionResult('cancel', question, { q1: ['red'] }).interrupt).toBe(true)
  })
})
