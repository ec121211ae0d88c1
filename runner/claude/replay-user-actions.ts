/**
 * @module What a `claude-agent-sdk.query` transcript recorded the user doing, in order: prompts
 * (and whether the recorded turn was still open, i.e. a steer), interrupts, answers to
 * permission requests, and a new query after the runtime exited (an idle release). Shared by the
 * adapter-level replay (replay-driver.ts) and the whole-system replay (scripts/replay).
 */
import type { Transcript } from '../replay/index.ts'
import { rec, str } from './json.ts'
import { recordedPrompts } from './replay-projection.ts'

export type UserAction = { line: number } & (
  | { kind: 'prompt'; text: string; turnOpen: boolean }
  | { kind: 'interrupt' }
  | { kind: 'answer'; decision: 'accept' | 'decline' }
  /** Answers to an AskUserQuestion, keyed as Loom keys its questions (`q1`, `q2`, … in asked order). */
  | { kind: 'answer'; answers: Record<string, string[]> }
  | { kind: 'reopen' }
  | { kind: 'unsupported'; what: string }
)

export const recordedUserActions = (transcript: Transcript): UserAction[] => {
  const prompts = recordedPrompts(transcript)
  const actions: UserAction[] = []
  let prompted = 0
  let turnOpen = false
  let exited = false
  let opened = 0
  for (const entry of transcript.entries) {
    if (entry.type === 'runtime_exit') {
      exited = true
      continue
    }
    const frame = rec(entry.frame)
    if (entry.type === 'emit_inbound') {
      if (frame.type === 'result' && frame.parent_tool_use_id == null) turnOpen = false
      continue
    }
    const line = entry.line
    switch (frame.type) {
      case 'query.open': {
        const options = rec(frame.options)
        if (options.resumeSessionAt !== undefined || options.forkSession === true) actions.push({ line, kind: 'unsupported', what: 'rollback / fork' })
        else if (opened > 0 && exited) actions.push({ line, kind: 'reopen' })
        opened++
        exited = false
        break
      }
      case 'prompt.offer':
        actions.push({ line, kind: 'prompt', text: prompts[prompted++]!, turnOpen })
        turnOpen = true
        break
      case 'query.interrupt':
        actions.push({ line, kind: 'interrupt' })
        break
      case 'permission.response':
        // Loom's own refusals (plan mode, no run waiting) carry no decisionClassification: no user answered them.
        if (rec(frame.result).decisionClassification === undefined) break
        actions.push({ line, kind: 'answer', ...answerOf(rec(frame.result)) })
        break
      default:
        actions.push({ line, kind: 'unsupported', what: String(frame.type) })
    }
  }
  return actions
}

/** An allowed AskUserQuestion carries the answers by question text; anything else is a decision. */
const answerOf = (result: Record<string, unknown>): { decision: 'accept' | 'decline' } | { answers: Record<string, string[]> } => {
  const input = rec(result.updatedInput)
  const given = rec(input.answers)
  if (str(result.behavior) !== 'allow' || !Array.isArray(input.questions) || Object.keys(given).length === 0) {
    return { decision: str(result.behavior) === 'allow' ? 'accept' : 'decline' }
  }
  const answers: Record<string, string[]> = {}
  input.questions.map(rec).forEach((q, i) => {
    const answer = str(given[str(q.question) ?? ''])
    if (answer !== null) answers[`q${i + 1}`] = [answer]
  })
  return { answers }
}
