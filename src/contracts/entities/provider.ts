/** @module Provider sessions (live processes), provider threads (native conversations) and turns. */
import { z } from 'zod'
import { CheckpointId, ContextHandoffId, NodeId, ProviderSessionId, ProviderThreadId, ProviderTurnId, RunAttemptId, ThreadId } from '../ids.ts'
import { ProviderKind } from '../modes.ts'
import { ProviderFailure } from '../failure.ts'
import { Millis } from './common.ts'

export const ProviderSession = z.strictObject({
  id: ProviderSessionId,
  threadId: ThreadId,
  provider: ProviderKind,
  status: z.enum(['starting', 'ready', 'running', 'waiting', 'stopped', 'error']),
  model: z.string().nullable(),
  runnerEpoch: z.number().int().nullable(),
  releaseReason: z.enum(['idle_timeout', 'runtime_error', 'runner_lost', 'manual_shutdown', 'server_shutdown']).nullable(),
  createdAt: Millis,
  updatedAt: Millis,
  lastError: ProviderFailure.nullable(),
})
export type ProviderSession = z.infer<typeof ProviderSession>

export const ProviderThread = z.strictObject({
  id: ProviderThreadId,
  provider: ProviderKind,
  providerSessionId: ProviderSessionId.nullable(),
  appThreadId: ThreadId.nullable(),
  ownerNodeId: NodeId.nullable(),
  nativeThreadRef: z.string().max(512).nullable(),
  /** Resume cursor, e.g. Claude's last assistant message uuid. */
  nativeConversationHeadRef: z.string().max(512).nullable(),
  status: z.enum(['not_loaded', 'idle', 'active', 'closed', 'error']),
  firstRunOrdinal: z.number().int().nullable(),
  lastRunOrdinal: z.number().int().nullable(),
  handoffIds: z.array(ContextHandoffId),
  forkedFrom: z
    .strictObject({ providerThreadId: ProviderThreadId, providerTurnId: ProviderTurnId.nullable(), checkpointId: CheckpointId.nullable() })
    .nullable(),
  createdAt: Millis,
  updatedAt: Millis,
})
export type ProviderThread = z.infer<typeof ProviderThread>

export const ProviderTurnStatus = z.enum(['pending', 'running', 'completed', 'interrupted', 'failed', 'cancelled'])

export const ProviderTurn = z.strictObject({
  id: ProviderTurnId,
  providerThreadId: ProviderThreadId.nullable(),
  nodeId: NodeId,
  runAttemptId: RunAttemptId.nullable(),
  nativeTurnRef: z.string().max(512).nullable(),
  ordinal: z.number().int().positive(),
  status: ProviderTurnStatus,
  /** The conversation head once this turn ended (Claude: its last assistant uuid), to fork through it. */
  conversationHeadRef: z.string().max(512).nullable().optional(),
  startedAt: Millis,
  completedAt: Millis.nullable(),
})
export type ProviderTurn = z.infer<typeof ProviderTurn>
