/**
 * @module `canUseTool` as runtime requests. A call becomes `request.opened` (native request id
 * = the tool_use id, so the request nests under its tool item), and a Loom decision becomes
 * the PermissionResult the SDK expects:
 *
 * | decision          | PermissionResult                                                        |
 * |-------------------|-------------------------------------------------------------------------|
 * | accept            | allow, `updatedInput` = the input, `user_temporary`                     |
 * | acceptForSession  | allow + `updatedPermissions` = the suggestions scoped to the session    |
 * | decline (or none) | deny, `user_reject`                                                     |
 * | cancel            | deny + `interrupt: true` (the turn ends interrupted)                    |
 *
 * Suggestions name `localSettings` (a file in the worktree); they are rescoped to `session`
 * so an approval never writes settings into the user's project.
 *
 * AskUserQuestion is a question, not an approval: a `user_input` request with the tool's
 * questions (ids `q1`, `q2`, … by position), answered by allowing the call with the user's
 * answers in `updatedInput.answers` (question text -> answer, several joined with ", ").
 */
import type { PermissionResult, PermissionUpdate } from '@anthropic-ai/claude-agent-sdk'
import type { Answers, Decision, Question, RunId, RuntimeEvent } from '../../src/contracts/index.ts'
import { clip, rec, str, type Json } from './json.ts'
import { requestKind } from './tool-items.ts'

/** What canUseTool received, minus the abort signal. */
export type PermissionAsk = {
  toolName: string
  input: Json
  toolUseID: string
  suggestions: PermissionUpdate[]
  blockedPath: string | null
  title: string | null
  displayName: string | null
  description: string | null
  decisionReason: string | null
  agentID: string | null
}

type AskOptions = {
  toolUseID: string
  suggestions?: PermissionUpdate[]
  blockedPath?: string
  title?: string
  displayName?: string
  description?: string
  decisionReason?: string
  agentID?: string
}

export function permissionAsk(toolName: string, input: Json, o: AskOptions): PermissionAsk {
  return {
    toolName,
    input,
    toolUseID: o.toolUseID,
    suggestions: o.suggestions ?? [],
    blockedPath: o.blockedPath ?? null,
    title: o.title ?? null,
    displayName: o.displayName ?? null,
    description: o.description ?? null,
    decisionReason: o.decisionReason ?? null,
    agentID: o.agentID ?? null,
  }
}

/** The inbound `permission.request` frame of the native log. */
export function permissionRequestFrame(ask: PermissionAsk): Json {
  const { toolName, input, ...options } = ask
  return { type: 'permission.request', toolName, input, options }
}

function promptOf(ask: PermissionAsk): string {
  if (ask.title) return ask.title.slice(0, 10_000)
  const subject = str(ask.input.command) ?? str(ask.input.file_path) ?? str(ask.input.url) ?? str(ask.input.query)
  return `${ask.displayName ?? ask.toolName}${subject ? `: ${subject}` : ''}`.slice(0, 10_000)
}

const ASK_USER_QUESTION = 'AskUserQuestion'

/** The questions of an AskUserQuestion call (bounded as the contract bounds them). */
export function askedQuestions(input: Json): Question[] {
  const asked: unknown[] = Array.isArray(input.questions) ? input.questions : []
  return asked.slice(0, 20).map(rec).map((q, i) => ({
    id: `q${i + 1}`,
    header: str(q.header)?.slice(0, 500) ?? null,
    question: (str(q.question) ?? '').slice(0, 4000),
    options: (Array.isArray(q.options) ? (q.options as unknown[]) : []).slice(0, 50).map(rec).map((o) => ({ label: (str(o.label) ?? '').slice(0, 500), description: str(o.description)?.slice(0, 2000) ?? null })),
    allowsFreeText: true,
  }))
}

export function requestOpened(runId: RunId, ask: PermissionAsk): RuntimeEvent {
  if (ask.toolName === ASK_USER_QUESTION) {
    const questions = askedQuestions(ask.input)
    return {
      type: 'request.opened',
      runId,
      nativeRequestId: ask.toolUseID,
      nativeItemId: ask.toolUseID,
      kind: 'user_input',
      prompt: questions[0]?.question.slice(0, 10_000) ?? null,
      detail: { toolName: ask.toolName },
      questions,
      availableDecisions: ['cancel'],
    }
  }
  const inputText = JSON.stringify(ask.input) ?? ''
  return {
    type: 'request.opened',
    runId,
    nativeRequestId: ask.toolUseID,
    nativeItemId: ask.toolUseID,
    kind: requestKind(ask.toolName),
    prompt: promptOf(ask),
    detail: {
      toolName: ask.toolName,
      input: inputText.length <= 20_000 ? ask.input : clip(inputText, 20_000),
      blockedPath: ask.blockedPath,
      description: ask.description,
      decisionReason: ask.decisionReason,
      suggestions: ask.suggestions.length,
    },
    questions: null,
    availableDecisions: ask.suggestions.length > 0 ? ['accept', 'acceptForSession', 'decline', 'cancel'] : ['accept', 'decline', 'cancel'],
  }
}

const forSession = (update: PermissionUpdate): PermissionUpdate => ({ ...update, destination: 'session' })

/** The SDK answer to a Loom decision; `interrupt` tells the session the turn is being ended. */
export function decisionResult(decision: Decision | null, ask: PermissionAsk, answers: Answers | null = null): { result: PermissionResult; interrupt: boolean } {
  const toolUseID = ask.toolUseID
  if (answers !== null && decision === null && ask.toolName === ASK_USER_QUESTION) {
    const byText = Object.fromEntries(askedQuestions(ask.input).map((q) => [q.question, (answers[q.id] ?? []).join(', ')]))
    return { result: { behavior: 'allow', updatedInput: { ...ask.input, answers: byText }, toolUseID, decisionClassification: 'user_temporary' }, interrupt: false }
  }
  switch (decision) {
    case 'accept':
      return { result: { behavior: 'allow', updatedInput: ask.input, toolUseID, decisionClassification: 'user_temporary' }, interrupt: false }
    case 'acceptForSession':
      return {
        result: {
          behavior: 'allow',
          updatedInput: ask.input,
          updatedPermissions: ask.suggestions.map(forSession),
          toolUseID,
          decisionClassification: 'user_permanent',
        },
        interrupt: false,
      }
    case 'cancel':
      return {
        result: { behavior: 'deny', message: 'The user cancelled this action and stopped the turn.', interrupt: true, toolUseID, decisionClassification: 'user_reject' },
        interrupt: true,
      }
    default:
      return { result: { behavior: 'deny', message: 'The user declined this action.', toolUseID, decisionClassification: 'user_reject' }, interrupt: false }
  }
}

/** A refusal Loom makes on its own (plan mode, no active run, an aborted ask). */
export const denial = (ask: PermissionAsk, message: string): PermissionResult => ({ behavior: 'deny', message, toolUseID: ask.toolUseID })
