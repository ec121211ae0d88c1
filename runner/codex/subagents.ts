/**
 * @module Codex sub-agents (collab `spawnAgent`, agents-v2 `subAgentActivity`) as
 * `subagent.updated`. Each sub-agent runs in its own Codex thread; its id is the child thread
 * id, and it belongs to the run whose turn spawned it, even after that run has ended. Child
 * turns start and end on their own and never end the parent run.
 */
import type { RunId, RuntimeEvent } from '../../src/contracts/index.ts'
import type { CollabAgentStatus, ThreadItem, TurnStatus } from '../generated/codex/v2/index.ts'
import { BOUND, clip } from './bounds.ts'

type SubagentStatus = Extract<RuntimeEvent, { type: 'subagent.updated' }>['status']
type CollabItem = Extract<ThreadItem, { type: 'collabAgentToolCall' }>
type ActivityItem = Extract<ThreadItem, { type: 'subAgentActivity' }>

/** What is known of one sub-agent. */
export type ChildAgent = {
  threadId: string
  runId: RunId
  parentItemId: string | null
  prompt: string
  title: string | null
  model: string | null
  status: SubagentStatus
  result: string | null
  /** Text of the child's latest assistant message: its result when its turn ends. */
  lastText: string | null
}

const TERMINAL = new Set<SubagentStatus>(['completed', 'failed', 'cancelled', 'interrupted'])

const COLLAB_STATUS: Record<CollabAgentStatus, SubagentStatus> = {
  pendingInit: 'pending',
  running: 'running',
  interrupted: 'interrupted',
  completed: 'completed',
  errored: 'failed',
  shutdown: 'cancelled',
  notFound: 'failed',
}

const TURN_STATUS: Record<TurnStatus, SubagentStatus> = { completed: 'completed', interrupted: 'interrupted', failed: 'failed', inProgress: 'running' }

export class SubagentTracker {
  readonly #children = new Map<string, ChildAgent>()
  readonly #emit: (event: RuntimeEvent) => void
  readonly #adopt: (threadId: string) => void

  /** `adopt` is told of each new child thread, so its frames reach this session. */
  constructor(emit: (event: RuntimeEvent) => void, adopt: (threadId: string) => void) {
    this.#emit = emit
    this.#adopt = adopt
  }

  get(threadId: string): ChildAgent | undefined {
    return this.#children.get(threadId)
  }

  /** Registers a child thread first seen through its own frames (its turn names the root turn). */
  ensure(threadId: string, runId: RunId): ChildAgent {
    const known = this.#children.get(threadId)
    if (known) return known
    const child: ChildAgent = { threadId, runId, parentItemId: null, prompt: '', title: null, model: null, status: 'pending', result: null, lastText: null }
    this.#children.set(threadId, child)
    this.#adopt(threadId)
    return child
  }

  /** A collab tool call names its receivers and their last known states. */
  collab(item: CollabItem, runId: RunId): void {
    for (const receiver of item.receiverThreadIds) {
      const isNew = !this.#children.has(receiver)
      const child = this.ensure(receiver, runId)
      const state = item.agentsStates[receiver]
      const patch: Partial<ChildAgent> = {}
      if (item.tool === 'spawnAgent') {
        if (child.parentItemId === null) patch.parentItemId = item.id
        if (item.prompt && !child.prompt) patch.prompt = item.prompt
        if (item.model && !child.model) patch.model = item.model
      }
      if (state) {
        patch.status = COLLAB_STATUS[state.status] ?? child.status
        if (TERMINAL.has(patch.status) && state.message) patch.result = state.message
      }
      this.#update(child, patch, isNew)
    }
  }

  /** Agents-v2 `subAgentActivity`: started / interacted / interrupted / completed. */
  activity(item: ActivityItem, runId: RunId): void {
    const isNew = !this.#children.has(item.agentThreadId)
    const child = this.ensure(item.agentThreadId, runId)
    const status: SubagentStatus = item.kind === 'completed' ? 'completed' : item.kind === 'interrupted' ? 'interrupted' : 'running'
    // A v2 activity is not an item of its own (items.ts), so it cannot be the subagent's parent.
    this.#update(child, { parentItemId: child.parentItemId, title: child.title ?? item.agentPath ?? null, model: child.model ?? item.model ?? null, status }, isNew)
  }

  turnStarted(threadId: string): void {
    const child = this.#children.get(threadId)
    if (child) this.#update(child, { status: 'running' })
  }

  turnCompleted(threadId: string, status: TurnStatus): void {
    const child = this.#children.get(threadId)
    if (child) this.#update(child, { status: TURN_STATUS[status] ?? 'failed', result: child.lastText ?? child.result })
  }

  agentMessage(threadId: string, text: string): void {
    const child = this.#children.get(threadId)
    if (child && text.length > 0) child.lastText = text
  }

  /** The process died: every unfinished sub-agent failed with it. */
  transportLost(): void {
    for (const child of this.#children.values()) if (!TERMINAL.has(child.status)) this.#update(child, { status: 'failed' })
  }

  #update(child: ChildAgent, patch: Partial<ChildAgent>, force = false): void {
    const next = { ...child, ...patch }
    // A finished sub-agent only moves again when a new turn of it starts.
    if (TERMINAL.has(child.status) && TERMINAL.has(next.status) && patch.status !== undefined) next.status = child.status
    const changed = force || (['status', 'result', 'prompt', 'model', 'title', 'parentItemId'] as const).some((k) => next[k] !== child[k])
    Object.assign(child, next)
    if (!changed) return
    this.#emit({
      type: 'subagent.updated',
      runId: child.runId,
      nativeTaskId: child.threadId,
      parentNativeItemId: child.parentItemId,
      status: child.status,
      prompt: clip(child.prompt, BOUND.subagentPrompt),
      title: child.title === null ? null : clip(child.title, BOUND.title),
      model: child.model === null || child.model === '' ? null : clip(child.model, BOUND.model),
      result: child.result === null ? null : clip(child.result, BOUND.text),
      nativeThreadId: child.threadId,
    })
  }
}
