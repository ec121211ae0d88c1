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
        actions.push({ line, kind: 'answer', decision: str(rec(frame.result).behavior) === 'allow' ? 'accept' : 'decline' })
        break
      default:
        actions.push({ line, kind: 'unsupported', what: String(frame.type) })
    }
  }
  return actions
}
