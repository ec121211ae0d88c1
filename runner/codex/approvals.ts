/**
 * @module Codex server→client requests as runtime requests, and answers back. Approvals and
 * questions (`item/commandExecution/requestApproval`, `item/fileChange/requestApproval`,
 * `item/permissions/requestApproval`, `item/tool/requestUserInput`, and the legacy
 * `execCommandApproval` / `applyPatchApproval`) become `request.opened`; the rest are answered
 * at once by {@link automaticAnswer}. Pure.
 */
import type { Answers, Decision, Question, RequestKind } from '../../src/contracts/index.ts'
import type { ReviewDecision } from '../generated/codex/index.ts'
import type { CommandExecutionApprovalDecision, ToolRequestUserInputQuestion } from '../generated/codex/v2/index.ts'
import { BOUND, clip, summarize } from './bounds.ts'
import type { ServerRequest, ServerRequestResult } from './protocol.ts'

/** What Loom shows for a request Codex asks (the fields of `request.opened`, without run ids). */
export type RequestDescription = {
  kind: RequestKind
  threadId: string
  turnId: string | null
  nativeItemId: string | null
  prompt: string | null
  detail: Record<string, unknown> | null
  questions: Question[] | null
  availableDecisions: Decision[]
}

const ALL: Decision[] = ['accept', 'acceptForSession', 'decline', 'cancel']

/**
 * Decisions Codex offers, as Loom decisions. Amendment variants have no Loom form and are left
 * out; `decline` is always offered, since Codex accepts it even when it does not list it.
 */
const offered = (native: CommandExecutionApprovalDecision[] | null | undefined): Decision[] => {
  if (!native) return ALL
  const plain = new Set<string>(native.filter((d): d is Extract<typeof d, string> => typeof d === 'string'))
  plain.add('decline')
  return ALL.filter((d) => plain.has(d))
}

const question = (q: ToolRequestUserInputQuestion): Question => ({
  id: clip(q.id, 200),
  header: q.header ? clip(q.header, 500) : null,
  question: clip(q.question, 4000),
  options: (q.options ?? []).slice(0, BOUND.options).map((o) => ({ label: clip(o.label, 500), description: o.description ? clip(o.description, 2000) : null })),
  allowsFreeText: q.isOther || (q.options ?? []).length === 0,
})

/** The runtime request a server request opens, or null when it is not one Loom asks a person. */
export function describeServerRequest(request: ServerRequest): RequestDescription | null {
  switch (request.method) {
    case 'item/commandExecution/requestApproval': {
      const p = request.params
      const command = p.command ?? null
      return {
        kind: 'command',
        threadId: p.threadId,
        turnId: p.turnId,
        nativeItemId: p.itemId,
        prompt: clip(p.reason ?? (command ? `Run ${command}` : 'Run a command'), BOUND.prompt),
        detail: { command, cwd: p.cwd ?? null, reason: p.reason ?? null, approvalKind: p.kind ?? 'command', network: p.networkApprovalContext ?? null },
        questions: null,
        availableDecisions: offered(p.availableDecisions),
      }
    }
    case 'item/fileChange/requestApproval': {
      const p = request.params
      return {
        kind: 'file-change',
        threadId: p.threadId,
        turnId: p.turnId,
        nativeItemId: p.itemId,
        prompt: clip(p.reason ?? 'Apply file changes', BOUND.prompt),
        detail: { reason: p.reason ?? null, grantRoot: p.grantRoot ?? null },
        questions: null,
        availableDecisions: ALL,
      }
    }
    case 'item/permissions/requestApproval': {
      const p = request.params
      return {
        kind: 'permissions',
        threadId: p.threadId,
        turnId: p.turnId,
        nativeItemId: p.itemId,
        prompt: clip(p.reason ?? 'Grant additional permissions', BOUND.prompt),
        detail: { permissions: p.permissions, cwd: p.cwd, reason: p.reason },
        questions: null,
        availableDecisions: ['accept', 'acceptForSession', 'decline'],
      }
    }
    case 'item/tool/requestUserInput': {
      const p = request.params
      const questions = p.questions.slice(0, BOUND.questions).map(question)
      return {
        kind: 'user_input',
        threadId: p.threadId,
        turnId: p.turnId,
        nativeItemId: p.itemId,
        prompt: questions[0] ? clip(questions[0].question, BOUND.prompt) : null,
        detail: null,
        questions,
        availableDecisions: ['cancel'],
      }
    }
    case 'execCommandApproval': {
      const p = request.params
      return {
        kind: 'command',
        threadId: p.conversationId,
        turnId: null,
        nativeItemId: p.callId,
        prompt: clip(p.reason ?? `Run ${p.command.join(' ')}`, BOUND.prompt),
        detail: { command: p.command.join(' '), cwd: p.cwd, reason: p.reason },
        questions: null,
        availableDecisions: ALL,
      }
    }
    case 'applyPatchApproval': {
      const p = request.params
      return {
        kind: 'file-change',
        threadId: p.conversationId,
        turnId: null,
        nativeItemId: p.callId,
        prompt: clip(p.reason ?? 'Apply file changes', BOUND.prompt),
        detail: { reason: p.reason, grantRoot: p.grantRoot, files: Object.keys(p.fileChanges).slice(0, BOUND.listItems) },
        questions: null,
        availableDecisions: ALL,
      }
    }
    default:
      return null
  }
}

const LEGACY: Record<Decision, ReviewDecision> = {
  accept: 'approved',
  acceptForSession: 'approved_for_session',
  decline: { denied: { rejection: 'declined by the user' } },
  cancel: 'abort',
}

/** Thrown for an answer that does not fit the request; the session reports it as a validation error. */
export class AnswerError extends Error {
  override readonly name = 'AnswerError'
}

/**
 * The JSON-RPC result that answers `request` with a Loom decision or answers.
 * Permissions: accept grants what was asked for the turn, acceptForSession for the session,
 * decline and cancel grant nothing. Questions: `{answers: {id: {answers: [...]}}}`; a decision
 * without answers (cancel) answers nothing.
 */
export function answerServerRequest(request: ServerRequest, decision: Decision | null, answers: Answers | null): ServerRequestResult {
  const need = (): Decision => {
    if (decision === null) throw new AnswerError(`${request.method} needs a decision`)
    return decision
  }
  switch (request.method) {
    case 'item/commandExecution/requestApproval':
      return { decision: need() }
    case 'item/fileChange/requestApproval':
      return { decision: need() }
    case 'item/permissions/requestApproval': {
      const d = need()
      const granted = d === 'accept' || d === 'acceptForSession'
      const asked = request.params.permissions
      return {
        permissions: granted ? { ...(asked.network ? { network: asked.network } : {}), ...(asked.fileSystem ? { fileSystem: asked.fileSystem } : {}) } : {},
        scope: d === 'acceptForSession' ? 'session' : 'turn',
      }
    }
    case 'item/tool/requestUserInput': {
      if (answers === null && decision === null) throw new AnswerError('item/tool/requestUserInput needs answers or a decision')
      const entries = Object.entries(answers ?? {}).map(([id, values]) => [id, { answers: values }] as const)
      return { answers: Object.fromEntries(entries) }
    }
    case 'execCommandApproval':
    case 'applyPatchApproval':
      return { decision: LEGACY[need()] }
    default:
      throw new AnswerError(`${request.method} is not a request Loom answers`)
  }
}

/**
 * Requests that never reach a person: a result to send at once, or an error message for the
 * JSON-RPC error answer. Loom registers no dynamic tools, no MCP servers and no ChatGPT tokens.
 */
export function automaticAnswer(request: ServerRequest): { result: ServerRequestResult } | { error: string } {
  switch (request.method) {
    case 'mcpServer/elicitation/request':
      return { result: { action: 'decline', content: null, _meta: null } }
    case 'currentTime/read':
      return { result: { currentTimeAt: Math.floor(Date.now() / 1000) } }
    case 'item/tool/call':
      return { result: { contentItems: [{ type: 'inputText', text: `Loom has no dynamic tool ${request.params.tool}` }], success: false } }
    default:
      return { error: `Loom does not handle ${request.method}: ${summarize(request.params, 200)}` }
  }
}
