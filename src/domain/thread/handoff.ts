/**
 * @module Handoff text: what one provider is told about conversation it did not see, rendered
 * from the projection's turn items. Pure and deterministic (same items, same text), bounded
 * by the target's `maxRecommendedHandoffChars`; when it must cut, the newest context stays
 * and the text says what was left out. Reasoning is never carried (DESIGN.md, "Provider switch").
 */
import type { HandoffEntry, ProviderKind, TurnItem } from '../../contracts/index.ts'

export type HandoffStrategy = 'delta_since_target_last_seen' | 'fork_delta_summary' | 'full_thread_summary'

/** The bound used when a provider declares none. */
export const DEFAULT_HANDOFF_CHARS = 60_000
/** No single entry takes more than this; a long message keeps its start and says how much was cut. */
export const MAX_ENTRY_CHARS = 4_000

const LABELS: Record<HandoffEntry['kind'], string> = {
  user: 'User',
  assistant: 'Assistant',
  plan: 'Plan',
  todo: 'Todo list',
  files: 'Files changed',
  command: 'Command',
  search: 'Web search',
  subagent: 'Subagent',
  error: 'Error',
}

/** The entries a list of turn items carries, in display order (rolled-back items are gone). */
export const entriesOf = (items: readonly TurnItem[], runOrdinalOf: (runId: string | null) => number | null): HandoffEntry[] => {
  const out: HandoffEntry[] = []
  const sorted = [...items].filter((i) => i.status !== 'rolled_back').sort((a, b) => a.ordinal - b.ordinal)
  for (const item of sorted) {
    const entry = (kind: HandoffEntry['kind'], text: string) => {
      if (text.trim() !== '') out.push({ runOrdinal: runOrdinalOf(item.runId), kind, text: text.trim() })
    }
    const c = item.content
    switch (c.type) {
      case 'user_message':
        entry('user', c.attachmentCount > 0 ? `${c.text} [${c.attachmentCount} image(s) attached]` : c.text)
        break
      case 'assistant_message':
        entry('assistant', c.text)
        break
      case 'proposed_plan':
        entry('plan', c.markdown)
        break
      case 'todo_list':
        entry('todo', c.steps.map((s) => `[${s.status === 'completed' ? 'x' : ' '}] ${s.text}`).join('; '))
        break
      case 'file_change':
        entry('files', c.changes.map((f) => `${f.path} (${f.kind})`).join(', '))
        break
      case 'command_execution':
        entry('command', `\`${c.command}\`${c.exitCode === null ? '' : ` (exit ${c.exitCode})`}`)
        break
      case 'web_search':
        entry('search', c.queries.join('; '))
        break
      case 'subagent':
        entry('subagent', c.result === null ? c.prompt : `${c.prompt} -> ${c.result}`)
        break
      case 'error':
        entry('error', c.failure.message)
        break
      default:
        // reasoning, handoffs, markers, checkpoints, requests and signals carry no conversation.
        break
    }
  }
  return out
}

export type HandoffInput = {
  strategy: HandoffStrategy
  fromProviders: readonly ProviderKind[]
  toProvider: ProviderKind
  entries: readonly HandoffEntry[]
  /** The target's bound; null means {@link DEFAULT_HANDOFF_CHARS}. */
  maxChars: number | null
  /** For a fork delta: the fork it came from. */
  sourceThreadId?: string
}

export type RenderedHandoff = {
  text: string
  /** Entries left out (oldest first) to stay within the bound. */
  omitted: number
}

const intro = (input: HandoffInput): string => {
  const from = input.fromProviders.length > 0 ? input.fromProviders.join(', ') : 'another agent'
  switch (input.strategy) {
    case 'full_thread_summary':
      return `This conversation began before you joined it (with ${from}). Here is what happened so far:`
    case 'delta_since_target_last_seen':
      return `Since your last turn, this conversation went on with ${from}. Here is what happened meanwhile:`
    case 'fork_delta_summary':
      return `A forked conversation${input.sourceThreadId ? ` (${input.sourceThreadId})` : ''} was merged back. Here is what happened on it after the fork point:`
  }
}

const clip = (text: string, max: number): string => {
  if (text.length <= max) return text
  const noteFor = (cut: number) => ` [... ${cut} more characters cut]`
  // The note's length depends on the number it states: size it for the longest it can be.
  const room = max - noteFor(text.length).length
  if (room <= 0) return text.slice(0, Math.max(0, max))
  return text.slice(0, room) + noteFor(text.length - room)
}

const lineOf = (entry: HandoffEntry): string => `- ${LABELS[entry.kind]}: ${clip(entry.text, MAX_ENTRY_CHARS).replace(/\n/g, '\n  ')}`

const omittedNote = (count: number, max: number): string =>
  `- (${count} earlier entr${count === 1 ? 'y was' : 'ies were'} left out to stay within ${max} characters)`

/** Renders the handoff; its length never exceeds the bound. */
export const renderHandoff = (input: HandoffInput): RenderedHandoff => {
  const max = input.maxChars ?? DEFAULT_HANDOFF_CHARS
  const head = `Context handoff (${input.strategy}, for ${input.toProvider}).\n${intro(input)}\n`
  const tail = "\nEnd of context. The user's new message follows."
  const lines = input.entries.map(lineOf)
  const noteRoom = (omitted: number) => (omitted > 0 ? omittedNote(omitted, max).length + 1 : 0)
  const kept: string[] = []
  let used = head.length + tail.length
  let omitted = 0
  // Newest first: an entry is kept if it fits together with the note about everything older.
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string
    if (used + line.length + 1 + noteRoom(i) > max) {
      omitted = i + 1
      break
    }
    kept.unshift(line)
    used += line.length + 1
  }
  if (kept.length === 0 && lines.length > 0) {
    // Even the newest entry is too long: keep its start rather than nothing.
    const newest = lines.length - 1
    const room = max - used - noteRoom(newest) - 1
    if (room > 0) {
      kept.push(clip(lines[newest] as string, room))
      omitted = newest
    }
  }
  const body = [...(omitted > 0 ? [omittedNote(omitted, max)] : []), ...kept].join('\n')
  const text = `${head}${body}${tail}`
  return { text: text.length <= max ? text : text.slice(0, max), omitted }
}
