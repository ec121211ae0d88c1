/** @module Runs (counted user turns) and their attempts (provider executions). */
import { z } from 'zod'
import {
  CheckpointId,
  ContextHandoffId,
  MessageId,
  NodeId,
  ProviderThreadId,
  ProviderTurnId,
  RunAttemptId,
  RunId,
  ThreadId,
} from '../ids.ts'
import { Actor, ModelSelection, ProviderKind } from '../modes.ts'
import { ProviderFailure } from '../failure.ts'
import { Millis, TokenUsage } from './common.ts'

export const RunStatus = z.enum([
  'queued',
  'starting',
  'running',
  'waiting',
  'completed',
  'interrupted',
  'failed',
  'cancelled',
  'rolled_back',
])
export type RunStatus = z.infer<typeof RunStatus>

export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['starting', 'running', 'waiting']
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['completed', 'interrupted', 'failed', 'cancelled', 'rolled_back']

/** Why a queued run has not started: visible to the user, never silent. */
export const QueueReason = z.enum(['awaiting_runner', 'behind_active_run'])
export type QueueReason = z.infer<typeof QueueReason>

export const Run = z.strictObject({
  id: RunId,
  threadId: ThreadId,
  ordinal: z.number().int().positive(),
  provider: ProviderKind,
  modelSelection: ModelSelection,
  providerThreadId: ProviderThreadId.nullable(),
  userMessageId: MessageId,
  rootNodeId: NodeId.nullable(),
  activeAttemptId: RunAttemptId.nullable(),
  status: RunStatus,
  queuePosition: z.number().int().nullable(),
  queueReason: QueueReason.nullable(),
  requestedBy: Actor,
  requestedAt: Millis,
  startedAt: Millis.nullable(),
  completedAt: Millis.nullable(),
  interruptRequestedAt: Millis.nullable(),
  interruptRequestedBy: Actor.nullable(),
  /** A steer or restart waiting for the current attempt's terminal before a new attempt starts. */
  pendingRestart: z.strictObject({ messageId: MessageId, reason: z.enum(['steering_restart', 'retry']) }).nullable(),
  failure: ProviderFailure.nullable(),
  usage: TokenUsage.nullable(),
  checkpointId: CheckpointId.nullable(),
  contextHandoffId: ContextHandoffId.nullable(),
  runnerEpoch: z.number().int().nullable(),
})
export type Run = z.infer<typeof Run>

export const AttemptStatus = z.enum(['pending', 'running', 'completed', 'interrupted', 'failed', 'cancelled', 'superseded'])
export type AttemptStatus = z.infer<typeof AttemptStatus>

export const AttemptReason = z.enum(['initial', 'steering_restart', 'retry', 'provider_recovery'])
export type AttemptReason = z.infer<typeof AttemptReason>

export const RunAttempt = z.strictObject({
  id: RunAttemptId,
  runId: RunId,
  attemptOrdinal: z.number().int().positive(),
  rootNodeId: NodeId,
  provider: ProviderKind,
  providerThreadId: ProviderThreadId.nullable(),
  providerTurnId: ProviderTurnId.nullable(),
  reason: AttemptReason,
  status: AttemptStatus,
  /** Messages this attempt carries to the provider, in order (the first starts the turn). */
  messageIds: z.array(MessageId),
  startedAt: Millis,
  completedAt: Millis.nullable(),
  runnerEpoch: z.number().int().nullable(),
})
export type RunAttempt = z.infer<typeof RunAttempt>
