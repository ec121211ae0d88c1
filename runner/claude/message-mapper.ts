/**
 * @module SDK messages of one run as runtime events, without any I/O: feed it every frame the
 * query yields (results excepted, the session owns the turn) and it returns what to emit.
 *
 * - `stream_event` text / thinking blocks open an item (`<api message id>:<block index>`) and
 *   stream deltas; the `assistant` message that follows completes it with the final text.
 *   Without partial messages each text block of an `assistant` message is its own item.
 * - `tool_use` blocks open tool items (id = tool_use id) via tool-items.ts; the `user`
 *   message carrying the `tool_result` completes them.
 * - `system` `task_*` messages of agent tasks become `subagent.updated`.
 * - The uuid of the last main-chain `assistant` message is the conversation head (the
 *   cursor a later `resumeSessionAt` rolls back to).
 * Frames of a subagent (`parent_tool_use_id` set) only contribute their tool calls, nested
 * under the Agent call; their text stays in the native log.
 */
import type { RunId, RuntimeEvent, RuntimeItemContent } from '../../src/contracts/index.ts'
import { arr, clip, rec, str, type Json } from './json.ts'
import { toolFinished, toolStarted } from './tool-items.ts'

export type ApiError = { text: string; kind: string | null }

export type Emission = { kind: 'event'; event: RuntimeEvent } | { kind: 'delta'; itemId: string; text: string }

type ItemStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted'
type TextItem = { itemId: string; msgId: string; kind: 'assistant_message' | 'reasoning'; text: string }
type ToolItem = { input: Json; parent: string | null; content: RuntimeItemContent; done: boolean }
type Task = { parent: string | null; prompt: string; title: string | null; done: boolean }

const TASK_STATUS: Record<string, 'pending' | 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled'> = {
  pending: 'pending',
  running: 'running',
  paused: 'waiting',
  completed: 'completed',
  failed: 'failed',
  killed: 'cancelled',
  stopped: 'cancelled',
}

export class MessageMapper {
  private readonly streamed: TextItem[] = []
  private readonly blocks = new Map<string, number>()
  private readonly tools = new Map<string, ToolItem>()
  private readonly tasks = new Map<string, Task>()
  private readonly denied = new Set<string>()
  private streamMsgId = ''
  private lastHead: string | null
  private lastApiError: ApiError | null = null
  private out: Emission[] = []

  private readonly runId: RunId
  private readonly cwd: string | null

  constructor(runId: RunId, cwd: string | null, head: string | null = null) {
    this.runId = runId
    this.cwd = cwd
    this.lastHead = head
  }

  /** The uuid of the last main-chain assistant message seen (or the head it started from). */
  get head(): string | null {
    return this.lastHead
  }

  /** The synthetic assistant message Claude Code emits for an API error (text and error kind), if any. */
  get apiError(): ApiError | null {
    return this.lastApiError
  }

  /** The tool call was refused by Loom (declined, or refused by policy): its item ends cancelled. */
  markDenied(toolUseId: string): void {
    this.denied.add(toolUseId)
  }

  map(frame: unknown): Emission[] {
    this.out = []
    const f = rec(frame)
    if (f.type === 'stream_event') this.streamEvent(f)
    else if (f.type === 'assistant') this.assistant(f)
    else if (f.type === 'user') this.user(f)
    else if (f.type === 'system') this.system(f)
    return this.out
  }

  /** Ends what is still open when the turn ends (streams, and unless it completed, tools and subagents). */
  finish(status: 'completed' | 'interrupted' | 'failed' | 'cancelled'): Emission[] {
    this.out = []
    const itemStatus: ItemStatus = status === 'completed' ? 'completed' : status
    for (const item of this.streamed.splice(0)) this.textItem(item, item.text, itemStatus)
    if (status !== 'completed') {
      for (const [id, tool] of this.tools) {
        if (tool.done) continue
        tool.done = true
        this.item(id, tool.parent, itemStatus, tool.content)
      }
      for (const [id, task] of this.tasks) {
        if (task.done) continue
        task.done = true
        this.subagent(id, task, status, null)
      }
    }
    return this.out
  }

  private emit(event: RuntimeEvent): void {
    this.out.push({ kind: 'event', event })
  }

  private item(nativeItemId: string, parent: string | null, status: ItemStatus, content: RuntimeItemContent): void {
    this.emit({ type: 'item.updated', runId: this.runId, nativeItemId, parentNativeItemId: parent, status, content })
  }

  private textItem(item: TextItem, text: string, status: ItemStatus): void {
    const content: RuntimeItemContent = item.kind === 'assistant_message' ? { type: 'assistant_message', text } : { type: 'reasoning', text }
    this.item(item.itemId, null, status, content)
  }

  private streamEvent(f: Json): void {
    if (f.parent_tool_use_id) return
    const event = rec(f.event)
    if (event.type === 'message_start') {
      this.streamMsgId = str(rec(event.message).id) ?? ''
      return
    }
    if (event.type === 'content_block_start') {
      const type = rec(event.content_block).type
      if (type !== 'text' && type !== 'thinking') return
      const item: TextItem = {
        itemId: `${this.streamMsgId}:${String(event.index ?? 0)}`,
        msgId: this.streamMsgId,
        kind: type === 'text' ? 'assistant_message' : 'reasoning',
        text: '',
      }
      this.streamed.push(item)
      this.textItem(item, '', 'running')
      return
    }
    if (event.type === 'content_block_delta') {
      const itemId = `${this.streamMsgId}:${String(event.index ?? 0)}`
      const item = this.streamed.find((s) => s.itemId === itemId)
      const delta = rec(event.delta)
      const text = str(delta.text) ?? str(delta.thinking)
      if (!item || !text) return
      item.text += text
      this.out.push({ kind: 'delta', itemId, text })
    }
  }

  private assistant(f: Json): void {
    const message = rec(f.message)
    const msgId = str(message.id) ?? str(f.uuid) ?? 'message'
    const parent = str(f.parent_tool_use_id)
    if (!parent && str(f.uuid)) this.lastHead = str(f.uuid)
    if (!parent && f.error) {
      const text = arr(message.content)
        .map((b) => str(rec(b).text) ?? '')
        .join('\n')
      this.lastApiError = { text, kind: str(f.error) }
      return
    }
    for (const raw of arr(message.content)) {
      const block = rec(raw)
      const index = this.blocks.get(msgId) ?? 0
      this.blocks.set(msgId, index + 1)
      if (block.type === 'tool_use') this.toolUse(block, parent)
      else if (parent) continue
      else if (block.type === 'text') this.text(msgId, index, 'assistant_message', str(block.text) ?? '', f.aborted === true)
      else if (block.type === 'thinking') this.text(msgId, index, 'reasoning', str(block.thinking) ?? '', f.aborted === true)
      else if (block.type !== 'redacted_thinking') this.otherBlock(msgId, index, block)
    }
  }

  private text(msgId: string, index: number, kind: TextItem['kind'], text: string, aborted: boolean): void {
    const at = this.streamed.findIndex((s) => s.msgId === msgId && s.kind === kind)
    const status: ItemStatus = aborted ? 'interrupted' : 'completed'
    if (at >= 0) {
      const [item] = this.streamed.splice(at, 1)
      if (item) this.textItem(item, text || item.text, status)
      return
    }
    if (!text) return
    this.textItem({ itemId: `${msgId}:${index}`, msgId, kind, text }, text, status)
  }

  /** Server-side tools (hosted web search / fetch) and block types this mapping does not know: shown, never dropped. */
  private otherBlock(msgId: string, index: number, block: Json): void {
    const type = str(block.type) ?? 'unknown'
    const name = str(block.name)
    if (type === 'server_tool_use' && (name === 'web_search' || name === 'web_fetch')) {
      const input = rec(block.input)
      const query = str(input.query) ?? str(input.url)
      this.item(str(block.id) ?? `${msgId}:${index}`, null, 'completed', { type: 'web_search', queries: query ? [query] : [], results: [] })
      return
    }
    if (type.endsWith('_tool_result')) return
    this.item(`${msgId}:${index}`, null, 'completed', { type: 'generic', nativeType: `assistant.${type}`, summary: clip(block, 10_000) })
  }

  private toolUse(block: Json, parent: string | null): void {
    const id = str(block.id)
    if (!id) return
    const input = rec(block.input)
    const content = toolStarted(str(block.name) ?? 'tool', input, this.cwd)
    this.tools.set(id, { input, parent, content, done: false })
    this.item(id, parent, 'running', content)
  }

  private user(f: Json): void {
    const results = arr(rec(f.message).content).map(rec).filter((b) => b.type === 'tool_result')
    for (const block of results) {
      const id = str(block.tool_use_id)
      const tool = id ? this.tools.get(id) : undefined
      if (!id || !tool || tool.done) continue
      tool.done = true
      const isError = block.is_error === true
      const structured = results.length === 1 ? f.tool_use_result : undefined
      const content = toolFinished(tool.input, tool.content, { content: block.content, isError, structured })
      const status: ItemStatus = content.type === 'proposed_plan' ? 'completed' : this.denied.has(id) ? 'cancelled' : isError ? 'failed' : 'completed'
      tool.content = content
      this.item(id, tool.parent, status, content)
    }
  }

  private system(f: Json): void {
    const taskId = str(f.task_id)
    if (!taskId) return
    if (f.subtype === 'task_started') {
      const type = str(f.task_type)
      if (type !== null && !type.includes('agent')) return
      const description = str(f.description)
      const task: Task = {
        parent: str(f.tool_use_id),
        prompt: clip(str(f.prompt) ?? description ?? '', 100_000),
        title: description ? description.slice(0, 500) : null,
        done: false,
      }
      this.tasks.set(taskId, task)
      this.subagent(taskId, task, 'running', null)
      return
    }
    const task = this.tasks.get(taskId)
    if (!task || task.done) return
    if (f.subtype === 'task_updated') {
      const status = TASK_STATUS[str(rec(f.patch).status) ?? '']
      if (!status) return
      task.done = status === 'completed' || status === 'failed' || status === 'cancelled'
      this.subagent(taskId, task, status, str(rec(f.patch).error))
    } else if (f.subtype === 'task_notification') {
      const status = TASK_STATUS[str(f.status) ?? ''] ?? 'completed'
      task.done = true
      this.subagent(taskId, task, status, str(f.summary))
    }
  }

  private subagent(taskId: string, task: Task, status: Extract<RuntimeEvent, { type: 'subagent.updated' }>['status'], result: string | null): void {
    this.emit({
      type: 'subagent.updated',
      runId: this.runId,
      nativeTaskId: taskId,
      parentNativeItemId: task.parent,
      status,
      prompt: task.prompt,
      title: task.title,
      model: null,
      result: result === null ? null : clip(result, 1_000_000),
      nativeThreadId: null,
    })
  }
}
