/**
 * @module Claude tools as runtime items: Bash -> command_execution, Edit / Write / MultiEdit /
 * NotebookEdit -> file_change, WebSearch / WebFetch -> web_search, anything else ->
 * dynamic_tool. `toolStarted` describes the call from its input; `toolFinished` adds what the
 * tool_result (and the structured `tool_use_result`) says.
 */
import type { RequestKind, RuntimeItemContent } from '../../src/contracts/index.ts'
import { arr, clip, num, rec, resultText, str, type Json } from './json.ts'

type FileChange = Extract<RuntimeItemContent, { type: 'file_change' }>['changes'][number]

export type ToolKind = 'command_execution' | 'file_change' | 'web_search' | 'proposed_plan' | 'dynamic_tool'

export function toolKind(name: string): ToolKind {
  if (name === 'Bash') return 'command_execution'
  if (name === 'ExitPlanMode') return 'proposed_plan'
  if (name === 'Edit' || name === 'Write' || name === 'MultiEdit' || name === 'NotebookEdit') return 'file_change'
  if (name === 'WebSearch' || name === 'WebFetch') return 'web_search'
  return 'dynamic_tool'
}

/** The runtime request kind of an approval for this tool. */
export function requestKind(name: string): RequestKind {
  const kind = toolKind(name)
  if (kind === 'command_execution') return 'command'
  if (kind === 'file_change') return 'file-change'
  if (name === 'Read' || name === 'Glob' || name === 'Grep' || name === 'LS') return 'file-read'
  return 'dynamic_tool_call'
}

const filePath = (input: Json): string => str(input.file_path) ?? str(input.notebook_path) ?? str(input.path) ?? ''

/** What a tool call shows before it has a result. */
export function toolStarted(name: string, input: Json, cwd: string | null): RuntimeItemContent {
  switch (toolKind(name)) {
    case 'command_execution':
      return { type: 'command_execution', command: clip(str(input.command) ?? '', 100_000), cwd, output: null, exitCode: null }
    case 'file_change':
      return { type: 'file_change', changes: [{ path: filePath(input), kind: name === 'Write' ? 'add' : 'update', additions: null, deletions: null, diff: null }] }
    case 'web_search':
      return { type: 'web_search', queries: [str(input.query) ?? str(input.url) ?? ''].filter((q) => q.length > 0), results: [] }
    case 'proposed_plan':
      return { type: 'proposed_plan', markdown: clip(str(input.plan) ?? '', 1_000_000) }
    default:
      return { type: 'dynamic_tool', toolName: name, input: clip(input), output: null }
  }
}

/** Counts and unified-diff text from a structuredPatch (`[{ lines: ['+a', '-b', ' c'] }]`). */
function patchStats(patch: unknown): { additions: number; deletions: number; diff: string } | null {
  const hunks = arr(patch)
  if (hunks.length === 0) return null
  let additions = 0
  let deletions = 0
  const lines: string[] = []
  for (const hunk of hunks) {
    const h = rec(hunk)
    lines.push(`@@ -${num(h.oldStart) ?? 0},${num(h.oldLines) ?? 0} +${num(h.newStart) ?? 0},${num(h.newLines) ?? 0} @@`)
    for (const line of arr(h.lines)) {
      const text = str(line) ?? ''
      if (text.startsWith('+')) additions++
      else if (text.startsWith('-')) deletions++
      lines.push(text)
    }
  }
  return { additions, deletions, diff: clip(lines.join('\n'), 200_000) }
}

function finishedChange(started: FileChange, structured: Json, input: Json): FileChange {
  const stats = patchStats(structured.structuredPatch)
  const created = structured.type === 'create'
  if (stats) return { ...started, kind: created ? 'add' : 'update', ...stats }
  if (created) {
    const content = str(structured.content) ?? str(input.content) ?? ''
    const lines = content.length === 0 ? [] : content.replace(/\n$/, '').split('\n')
    return { ...started, kind: 'add', additions: lines.length, deletions: 0, diff: clip(lines.map((l) => `+${l}`).join('\n'), 200_000) }
  }
  return started
}

/** "Exit code 2\n…" at the start of a failed Bash result. */
const exitCodeOf = (text: string, isError: boolean): number | null => {
  const match = /^Exit code (\d+)/.exec(text)
  if (match?.[1]) return Number(match[1])
  return isError ? null : 0
}

/** The item once the tool_result arrived. */
export function toolFinished(input: Json, started: RuntimeItemContent, result: { content: unknown; isError: boolean; structured: unknown }): RuntimeItemContent {
  const text = resultText(result.content)
  const structured = rec(result.structured)
  switch (started.type) {
    case 'command_execution': {
      const stdout = str(structured.stdout)
      const stderr = str(structured.stderr)
      const output = stdout !== null || stderr !== null ? [stdout, stderr].filter((s) => s).join('\n') : text
      return { ...started, output: clip(output, 1_000_000), exitCode: exitCodeOf(text, result.isError) }
    }
    case 'file_change': {
      if (result.isError) return started
      const [first, ...rest] = started.changes
      return first ? { ...started, changes: [finishedChange(first, structured, input), ...rest] } : started
    }
    case 'web_search': {
      const links = [...text.matchAll(/"title":"([^"]*)","url":"([^"]*)"/g)].slice(0, 100)
      return { ...started, results: links.map((m) => ({ title: m[1] ?? null, url: m[2] ?? null })) }
    }
    case 'dynamic_tool':
      return { ...started, output: clip(text, 1_000_000) }
    default:
      return started
  }
}
