/**
 * @module Maps one Codex `ThreadItem` (from `item/started` / `item/completed`) to the content and
 * status of a canonical `item.updated`. Pure. A type with no canonical content (image views,
 * review markers, compaction, types newer than the pinned protocol) becomes a visible `generic`.
 */
import type { RuntimeItemContent } from '../../src/contracts/index.ts'
import type { FileUpdateChange, ThreadItem } from '../generated/codex/v2/index.ts'
import { BOUND, clip, clipTail, summarize } from './bounds.ts'

export type ItemStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted'

/** What an item becomes: its content and status. */
export type MappedItem = { status: ItemStatus; content: RuntimeItemContent }

/** A thread item as received: a known variant, or one the pinned protocol does not know. */
export type AnyThreadItem = ThreadItem | { type: string; id?: string; [key: string]: unknown }

type Phase = 'started' | 'completed'

/** Item types that are never shown as turn items (the domain records user messages itself). */
const SKIPPED = new Set(['userMessage'])

const nativeStatus = (status: unknown, phase: Phase): ItemStatus => {
  switch (status) {
    case 'inProgress':
      return 'running'
    case 'completed':
      return 'completed'
    case 'failed':
      return 'failed'
    case 'declined':
      return 'cancelled'
    case 'interrupted':
      return 'interrupted'
    default:
      return phase === 'started' ? 'running' : 'completed'
  }
}

const lifecycle = (phase: Phase): ItemStatus => (phase === 'started' ? 'running' : 'completed')

/** Lines added and removed by a change; an added or deleted file's `diff` is its content. */
const diffStats = (change: FileUpdateChange): { additions: number; deletions: number } => {
  const lines = change.diff.length === 0 ? [] : change.diff.replace(/\n$/, '').split('\n')
  if (change.kind.type === 'add') return { additions: lines.length, deletions: 0 }
  if (change.kind.type === 'delete') return { additions: 0, deletions: lines.length }
  let additions = 0
  let deletions = 0
  for (const line of lines) {
    if (line.startsWith('+') && !line.startsWith('+++')) additions++
    else if (line.startsWith('-') && !line.startsWith('---')) deletions++
  }
  return { additions, deletions }
}

/** Codex file changes as canonical `FileChange`s (a move is a rename to the new path). */
export const mapFileChanges = (changes: FileUpdateChange[]): Extract<RuntimeItemContent, { type: 'file_change' }>['changes'] =>
  changes.slice(0, BOUND.changes).map((change) => {
    const moved = change.kind.type === 'update' && change.kind.move_path ? change.kind.move_path : null
    return {
      path: clip(moved ?? change.path, 4096),
      kind: moved ? 'rename' : change.kind.type,
      ...diffStats(change),
      diff: change.diff,
    }
  })

const joinText = (parts: string[]): string => parts.filter((part) => part.length > 0).join('\n\n')

/** Reasoning text: the summary when there is one, else the raw reasoning content. */
export const reasoningText = (item: { summary: string[]; content: string[] }): string =>
  clip(joinText(item.summary).length > 0 ? joinText(item.summary) : joinText(item.content), BOUND.text)

const outputText = (output: unknown): string | null => {
  if (output === null || output === undefined) return null
  if (typeof output === 'string') return clipTail(output, BOUND.text)
  if (Array.isArray(output)) {
    return clipTail(
      output.map((part: unknown) => (typeof part === 'object' && part !== null && 'text' in part ? String(part.text) : summarize(part))).join('\n'),
      BOUND.text,
    )
  }
  return summarize(output, BOUND.text)
}

const generic = (item: AnyThreadItem, phase: Phase): MappedItem => {
  const { type, id: _id, startedAtMs: _s, completedAtMs: _c, ...rest } = item as Record<string, unknown>
  return { status: lifecycle(phase), content: { type: 'generic', nativeType: clip(String(type), 500), summary: summarize(rest) } }
}

/**
 * The canonical form of `item`, or null when it is not shown (user messages; sub-agent
 * activity, which becomes `subagent.updated`).
 * @example mapThreadItem({ type: 'agentMessage', id: 'm', text: 'hi', … }, 'completed')
 *   // { status: 'completed', content: { type: 'assistant_message', text: 'hi' } }
 */
export function mapThreadItem(item: AnyThreadItem, phase: Phase): MappedItem | null {
  if (SKIPPED.has(item.type)) return null
  const known = item as ThreadItem
  switch (known.type) {
    case 'agentMessage':
      return { status: lifecycle(phase), content: { type: 'assistant_message', text: clip(known.text, BOUND.text) } }
    case 'reasoning':
      return { status: lifecycle(phase), content: { type: 'reasoning', text: reasoningText(known) } }
    case 'plan':
      return { status: lifecycle(phase), content: { type: 'proposed_plan', markdown: clip(known.text, BOUND.text) } }
    case 'commandExecution':
      return {
        status: nativeStatus(known.status, phase),
        content: {
          type: 'command_execution',
          command: clip(known.command, BOUND.text),
          cwd: known.cwd,
          output: known.aggregatedOutput === null ? null : clipTail(known.aggregatedOutput, BOUND.text),
          exitCode: known.exitCode,
        },
      }
    case 'fileChange':
      return { status: nativeStatus(known.status, phase), content: { type: 'file_change', changes: mapFileChanges(known.changes) } }
    case 'webSearch': {
      const action = known.action
      const queries = [known.query, ...(action?.type === 'search' ? [action.query, ...(action.queries ?? [])] : [])]
        .filter((q): q is string => typeof q === 'string' && q.length > 0)
      const pages = action?.type === 'openPage' || action?.type === 'findInPage' ? [action.url] : []
      const results = [...(known.results ?? []), ...pages.map((url) => ({ url }))].slice(0, BOUND.listItems).map((r) => {
        const o = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>
        return { title: typeof o.title === 'string' ? clip(o.title, 4000) : null, url: typeof o.url === 'string' ? clip(o.url, 4000) : null }
      })
      return {
        status: lifecycle(phase),
        content: { type: 'web_search', queries: [...new Set(queries)].slice(0, BOUND.listItems).map((q) => clip(q, BOUND.query)), results },
      }
    }
    case 'mcpToolCall':
      return {
        status: nativeStatus(known.status, phase),
        content: {
          type: 'dynamic_tool',
          toolName: clip(`mcp:${known.server}/${known.tool}`, 500),
          input: summarize(known.arguments, BOUND.text),
          output: known.error ? clip(known.error.message, BOUND.text) : known.result ? outputText(known.result.content) : null,
        },
      }
    case 'dynamicToolCall':
      return {
        status: nativeStatus(known.status, phase),
        content: {
          type: 'dynamic_tool',
          toolName: clip(known.namespace ? `${known.namespace}/${known.tool}` : known.tool, 500),
          input: summarize(known.arguments, BOUND.text),
          output: known.contentItems ? outputText(known.contentItems.map((c) => (c.type === 'inputText' ? { text: c.text } : c))) : null,
        },
      }
    case 'functionCallOutput':
      return {
        status: lifecycle(phase),
        content: { type: 'dynamic_tool', toolName: clip(known.name, 500), input: '', output: outputText(known.output) },
      }
    case 'collabAgentToolCall':
      return {
        status: nativeStatus(known.status, phase),
        content: {
          type: 'dynamic_tool',
          toolName: `collab:${known.tool}`,
          input: clip(known.prompt ?? known.receiverThreadIds.join(', '), BOUND.text),
          output: Object.keys(known.agentsStates).length > 0 ? summarize(known.agentsStates, BOUND.text) : null,
        },
      }
    case 'subAgentActivity':
      return null
    default:
      return generic(item, phase)
  }
}
