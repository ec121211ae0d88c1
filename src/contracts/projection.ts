/** @module What readers see: the whole thread projection, and the one-line shell summary. */
import { z } from 'zod'
import { AppThread } from './entities/thread.ts'
import { Run, RunAttempt } from './entities/run.ts'
import { ExecutionNode, Subagent } from './entities/node.ts'
import { ProviderSession, ProviderThread, ProviderTurn } from './entities/provider.ts'
import { RuntimeRequest } from './entities/request.ts'
import { ConversationMessage, PlanArtifact, TurnItem } from './entities/turn-item.ts'
import { Checkpoint, CheckpointScope, ContextHandoff, ContextTransfer } from './entities/lineage.ts'
import { RunId, ThreadId, WorkspaceId } from './ids.ts'
import { InteractionMode, ModelSelection, ProviderKind, RuntimeMode } from './modes.ts'
import { Millis } from './entities/common.ts'

export const PROJECTION_SCHEMA_VERSION = 1

export const ThreadProjection = z.strictObject({
  schemaVersion: z.number().int(),
  sequence: z.number().int().nonnegative(),
  thread: AppThread,
  runs: z.array(Run),
  attempts: z.array(RunAttempt),
  nodes: z.array(ExecutionNode),
  subagents: z.array(Subagent),
  providerSessions: z.array(ProviderSession),
  providerThreads: z.array(ProviderThread),
  providerTurns: z.array(ProviderTurn),
  runtimeRequests: z.array(RuntimeRequest),
  messages: z.array(ConversationMessage),
  plans: z.array(PlanArtifact),
  turnItems: z.array(TurnItem),
  checkpointScopes: z.array(CheckpointScope),
  checkpoints: z.array(Checkpoint),
  contextHandoffs: z.array(ContextHandoff),
  contextTransfers: z.array(ContextTransfer),
  /** Text still streaming, by turn item id: what the deltas have delivered so far. */
  streaming: z.record(z.string(), z.string()),
})
export type ThreadProjection = z.infer<typeof ThreadProjection>

export const ShellStatus = z.enum(['idle', 'queued', 'running', 'waiting_for_approval', 'failed', 'interrupted'])
export type ShellStatus = z.infer<typeof ShellStatus>

export const ThreadShell = z.strictObject({
  id: ThreadId,
  workspaceId: WorkspaceId,
  title: z.string(),
  provider: ProviderKind,
  modelSelection: ModelSelection,
  runtimeMode: RuntimeMode,
  interactionMode: InteractionMode,
  status: ShellStatus,
  /** A human reason when the thread waits, e.g. "awaiting runner". */
  statusReason: z.string().nullable(),
  activeRunId: RunId.nullable(),
  latestRunId: RunId.nullable(),
  pendingRequestCount: z.number().int().nonnegative(),
  itemCount: z.number().int().nonnegative(),
  lastMessage: z.strictObject({ role: z.enum(['user', 'assistant', 'system']), text: z.string(), at: Millis }).nullable(),
  parentThreadId: ThreadId.nullable(),
  archived: z.boolean(),
  deleted: z.boolean(),
  createdAt: Millis,
  updatedAt: Millis,
  /** The thread sequence this summary reflects; the workspace ignores older pushes. */
  sequence: z.number().int().nonnegative(),
})
export type ThreadShell = z.infer<typeof ThreadShell>
