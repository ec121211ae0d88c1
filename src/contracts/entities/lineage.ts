/** @module Checkpoints, and the context that moves between threads and providers. */
import { z } from 'zod'
import { CheckpointId, CheckpointScopeId, ContextHandoffId, ContextTransferId, ProviderThreadId, RunId, ThreadId, TurnItemId } from '../ids.ts'
import { Actor, ProviderKind } from '../modes.ts'
import { Millis } from './common.ts'

export const CheckpointScope = z.strictObject({
  id: CheckpointScopeId,
  threadId: ThreadId,
  runId: RunId.nullable(),
  kind: z.enum(['root_run', 'subagent', 'tool', 'provider_thread', 'manual']),
  cwd: z.string().nullable(),
  createdAt: Millis,
})
export type CheckpointScope = z.infer<typeof CheckpointScope>

export const CheckpointFile = z.strictObject({
  path: z.string().max(4096),
  kind: z.enum(['added', 'modified', 'deleted', 'renamed']),
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
})
export type CheckpointFile = z.infer<typeof CheckpointFile>

export const Checkpoint = z.strictObject({
  id: CheckpointId,
  threadId: ThreadId,
  scopeId: CheckpointScopeId,
  runId: RunId.nullable(),
  /** 0 is the thread's baseline before its first run. */
  appRunOrdinal: z.number().int().nonnegative(),
  ref: z.string().max(1024),
  status: z.enum(['ready', 'missing', 'error', 'stale']),
  files: z.array(CheckpointFile),
  capturedAt: Millis,
})
export type Checkpoint = z.infer<typeof Checkpoint>

export const SourcePoint = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('latest_stable') }),
  z.strictObject({ type: z.literal('run'), runId: RunId }),
  z.strictObject({ type: z.literal('checkpoint'), checkpointId: CheckpointId }),
])
export type SourcePoint = z.infer<typeof SourcePoint>

/** A resolved point in a thread: the run it ends at and the last item it includes. */
export const ResolvedPoint = z.strictObject({
  threadId: ThreadId,
  runId: RunId.nullable(),
  runOrdinal: z.number().int().nonnegative(),
  checkpointId: CheckpointId.nullable(),
  lastItemOrdinal: z.number().int().nonnegative(),
  providerThreadId: ProviderThreadId.nullable(),
})
export type ResolvedPoint = z.infer<typeof ResolvedPoint>

/** One piece of conversation a handoff can carry, taken from a turn item (never reasoning). */
export const HandoffEntry = z.strictObject({
  /** The run of the thread it came from; null for items inherited from another thread. */
  runOrdinal: z.number().int().nullable(),
  kind: z.enum(['user', 'assistant', 'plan', 'todo', 'files', 'command', 'search', 'subagent', 'error']),
  text: z.string(),
})
export type HandoffEntry = z.infer<typeof HandoffEntry>

/** A provider thread as another thread may name it (no session, no coverage). */
export const ProviderThreadRef = z.strictObject({
  id: ProviderThreadId,
  provider: ProviderKind,
  nativeThreadRef: z.string().nullable(),
  /** Where the conversation stands (Claude: an assistant message uuid); for a fork, the point to fork at. */
  nativeConversationHeadRef: z.string().nullable(),
})
export type ProviderThreadRef = z.infer<typeof ProviderThreadRef>

export const ContextTransfer = z.strictObject({
  id: ContextTransferId,
  type: z.enum(['fork', 'provider_handoff', 'merge_back']),
  sourceThreadId: ThreadId,
  targetThreadId: ThreadId,
  sourcePoint: ResolvedPoint,
  basePoint: ResolvedPoint.nullable(),
  sourceProvider: ProviderKind.nullable(),
  targetProvider: ProviderKind.nullable(),
  targetRunId: RunId.nullable(),
  status: z.enum(['pending', 'delivered', 'resolved_native', 'resolved_portable', 'consumed', 'failed', 'superseded']),
  resolution: z.enum(['native_fork', 'portable_context', 'delta_context', 'fork_delta_context', 'checkpoint_context']).nullable(),
  error: z.string().nullable(),
  createdBy: Actor,
  createdAt: Millis,
  updatedAt: Millis,
  consumedAt: Millis.nullable(),
  /** Fork: where the source's native conversation and files stood at the fork point, for a native fork. */
  origin: z
    .strictObject({
      providerThread: ProviderThreadRef.nullable(),
      /** The provider turn the fork point ends with; null when the point has no provider turn. */
      throughNativeTurnRef: z.string().nullable(),
      checkpointRef: z.string().nullable(),
    })
    .optional(),
  /** Merge-back: the fork's delta (its own items after the fork point), as the source will hand it on. */
  delta: z.array(HandoffEntry).optional(),
})
export type ContextTransfer = z.infer<typeof ContextTransfer>

export const HandoffStrategy = z.enum(['delta_since_target_last_seen', 'fork_delta_summary', 'full_thread_summary', 'checkpoint_summary', 'manual_context'])

export const ContextHandoff = z.strictObject({
  id: ContextHandoffId,
  transferId: ContextTransferId.nullable(),
  threadId: ThreadId,
  targetRunId: RunId,
  fromProviderThreadIds: z.array(ProviderThreadId),
  toProviderThreadId: ProviderThreadId.nullable(),
  coveredRunOrdinals: z.strictObject({ from: z.number().int(), to: z.number().int() }),
  strategy: HandoffStrategy,
  status: z.enum(['pending', 'ready', 'failed', 'superseded']),
  summaryText: z.string(),
  summaryItemId: TurnItemId.nullable(),
  createdAt: Millis,
  updatedAt: Millis,
})
export type ContextHandoff = z.infer<typeof ContextHandoff>
