/** @module Reading the state as the projection and the shell summary clients see. */
import { PROJECTION_SCHEMA_VERSION, type ThreadProjection, type ThreadShell, type ShellStatus } from '../../contracts/index.ts'
import type { ThreadState } from './state.ts'
import { isActive } from './queries.ts'

const byOrdinal = <T extends { ordinal: number }>(items: Iterable<T>): T[] => [...items].sort((a, b) => a.ordinal - b.ordinal)

/** The whole projection at `sequence`. `streaming` holds text that deltas delivered so far. */
export const toProjection = (state: ThreadState, sequence: number, streaming: Record<string, string> = {}): ThreadProjection => {
  if (state.thread === null) throw new Error('no thread to project')
  return {
    schemaVersion: PROJECTION_SCHEMA_VERSION,
    sequence,
    thread: state.thread,
    runs: byOrdinal(state.runs.values()),
    attempts: [...state.attempts.values()],
    nodes: [...state.nodes.values()],
    subagents: [...state.subagents.values()],
    providerSessions: [...state.providerSessions.values()],
    providerThreads: [...state.providerThreads.values()],
    providerTurns: [...state.providerTurns.values()],
    runtimeRequests: [...state.runtimeRequests.values()],
    messages: [...state.messages.values()],
    plans: [...state.plans.values()],
    turnItems: byOrdinal(state.turnItems.values()),
    checkpointScopes: [...state.checkpointScopes.values()],
    checkpoints: [...state.checkpoints.values()],
    contextHandoffs: [...state.contextHandoffs.values()],
    contextTransfers: [...state.contextTransfers.values()],
    streaming,
  }
}

/** The one-line summary the workspace shows for this thread. */
export const toShell = (state: ThreadState, sequence: number): ThreadShell => {
  const thread = state.thread
  if (thread === null) throw new Error('no thread to summarize')
  const runs = byOrdinal(state.runs.values())
  const active = runs.find((r) => isActive(r.status))
  const queued = runs.filter((r) => r.status === 'queued')
  const latest = runs.filter((r) => r.status !== 'rolled_back').at(-1)
  const pending = [...state.runtimeRequests.values()].filter((r) => r.status === 'pending').length
  let status: ShellStatus = 'idle'
  let statusReason: string | null = null
  if (active) {
    status = pending > 0 ? 'waiting_for_approval' : 'running'
  } else if (queued.length > 0) {
    status = 'queued'
    statusReason = queued.some((r) => r.queueReason === 'awaiting_runner') ? 'awaiting runner' : null
  } else if (latest?.status === 'failed') {
    status = 'failed'
    statusReason = latest.failure?.message ?? null
  } else if (latest?.status === 'interrupted') {
    status = 'interrupted'
    statusReason = latest.failure?.message ?? null
  }
  const newest = state.newestMessageId === null ? undefined : state.messages.get(state.newestMessageId)
  const lastMessage: ThreadShell['lastMessage'] = newest ? { role: newest.role, text: newest.text.slice(0, 280), at: newest.updatedAt } : null
  return {
    id: thread.id,
    workspaceId: thread.workspaceId,
    title: thread.title,
    provider: thread.modelSelection.provider,
    modelSelection: thread.modelSelection,
    runtimeMode: thread.runtimeMode,
    interactionMode: thread.interactionMode,
    status,
    statusReason,
    activeRunId: active?.id ?? null,
    latestRunId: latest?.id ?? null,
    pendingRequestCount: pending,
    itemCount: state.turnItems.size,
    lastMessage,
    parentThreadId: thread.lineage.parentThreadId,
    archived: thread.archivedAt !== null,
    deleted: thread.deletedAt !== null,
    createdAt: thread.createdAt,
    updatedAt: thread.updatedAt,
    sequence,
  }
}

/** Whether two summaries differ in anything but their sequence. */
export const shellChanged = (a: ThreadShell | null, b: ThreadShell): boolean => {
  if (a === null) return true
  // Field by field (it runs on every commit): only nested values that are not the same object are serialized.
  for (const key of Object.keys(b) as Array<keyof ThreadShell>) {
    if (key === 'sequence' || key === 'updatedAt') continue
    const x = a[key]
    const y = b[key]
    if (x === y) continue
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null || JSON.stringify(x) !== JSON.stringify(y)) return true
  }
  return Object.keys(a).length !== Object.keys(b).length
}
