/** @module Branded ids and the deterministic derivation of correlated ids. */
import { z } from 'zod'

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:%-]{0,255}$/

const id = <Brand extends string>(brand: Brand) =>
  z
    .string()
    .regex(ID_PATTERN, 'must be 1-256 characters of letters, digits and . _ : % -')
    .brand<Brand>()

export const ThreadId = id('ThreadId')
export type ThreadId = z.infer<typeof ThreadId>
export const WorkspaceId = id('WorkspaceId')
export type WorkspaceId = z.infer<typeof WorkspaceId>
export const CommandId = id('CommandId')
export type CommandId = z.infer<typeof CommandId>
export const RunId = id('RunId')
export type RunId = z.infer<typeof RunId>
export const RunAttemptId = id('RunAttemptId')
export type RunAttemptId = z.infer<typeof RunAttemptId>
export const NodeId = id('NodeId')
export type NodeId = z.infer<typeof NodeId>
export const MessageId = id('MessageId')
export type MessageId = z.infer<typeof MessageId>
export const TurnItemId = id('TurnItemId')
export type TurnItemId = z.infer<typeof TurnItemId>
export const ProviderSessionId = id('ProviderSessionId')
export type ProviderSessionId = z.infer<typeof ProviderSessionId>
export const ProviderThreadId = id('ProviderThreadId')
export type ProviderThreadId = z.infer<typeof ProviderThreadId>
export const ProviderTurnId = id('ProviderTurnId')
export type ProviderTurnId = z.infer<typeof ProviderTurnId>
export const RuntimeRequestId = id('RuntimeRequestId')
export type RuntimeRequestId = z.infer<typeof RuntimeRequestId>
export const PlanId = id('PlanId')
export type PlanId = z.infer<typeof PlanId>
export const CheckpointId = id('CheckpointId')
export type CheckpointId = z.infer<typeof CheckpointId>
export const CheckpointScopeId = id('CheckpointScopeId')
export type CheckpointScopeId = z.infer<typeof CheckpointScopeId>
export const ContextTransferId = id('ContextTransferId')
export type ContextTransferId = z.infer<typeof ContextTransferId>
export const ContextHandoffId = id('ContextHandoffId')
export type ContextHandoffId = z.infer<typeof ContextHandoffId>
export const EffectId = id('EffectId')
export type EffectId = z.infer<typeof EffectId>
export const EventId = id('EventId')
export type EventId = z.infer<typeof EventId>

/** Joins id parts with ":" after URI-encoding each, so nested ids stay unambiguous. */
export const joinId = (...parts: Array<string | number>): string =>
  parts.map((part) => encodeURIComponent(String(part))).join(':')

/**
 * Ids that correlate are derived, never random, so replaying the same transcript
 * yields the same ids (DESIGN.md, "Entities").
 */
export const deriveId = {
  run: (threadId: string, ordinal: number) => joinId('run', threadId, ordinal) as RunId,
  attempt: (runId: string, ordinal: number) => joinId('attempt', runId, ordinal) as RunAttemptId,
  rootNode: (runId: string, attemptOrdinal: number) =>
    (attemptOrdinal === 1 ? joinId('node', runId, 'root') : joinId('node', runId, 'attempt', attemptOrdinal, 'root')) as NodeId,
  userMessage: (runId: string, index: number) => joinId('message', runId, 'user', index) as MessageId,
  userItem: (messageId: string) => joinId('item', 'message', messageId) as TurnItemId,
  signalItem: (runId: string, signal: string, index: number) => joinId('item', runId, 'signal', signal, index) as TurnItemId,
  providerThread: (provider: string, nativeThreadId: string) =>
    joinId('provider-thread', provider, nativeThreadId) as ProviderThreadId,
  providerTurn: (provider: string, nativeTurnId: string) => joinId('provider-turn', provider, nativeTurnId) as ProviderTurnId,
  providerSession: (threadId: string, provider: string, ordinal: number) =>
    joinId('provider-session', threadId, provider, ordinal) as ProviderSessionId,
  itemNode: (provider: string, nativeItemId: string) => joinId('node', provider, 'item', nativeItemId) as NodeId,
  item: (provider: string, nativeItemId: string) => joinId('item', provider, nativeItemId) as TurnItemId,
  itemMessage: (provider: string, nativeItemId: string) => joinId('message', provider, nativeItemId) as MessageId,
  request: (provider: string, nativeRequestId: string) => joinId('request', provider, nativeRequestId) as RuntimeRequestId,
  requestNode: (requestId: string) => joinId('node', 'request', requestId) as NodeId,
  requestItem: (requestId: string) => joinId('item', 'request', requestId) as TurnItemId,
  plan: (provider: string, nativePlanId: string) => joinId('plan', provider, nativePlanId) as PlanId,
  subagentNode: (provider: string, nativeTaskId: string) => joinId('node', provider, 'subagent', nativeTaskId) as NodeId,
  checkpointScope: (threadId: string) => joinId('checkpoint-scope', threadId, 'root') as CheckpointScopeId,
  checkpoint: (scopeId: string, runOrdinal: number) => joinId('checkpoint', scopeId, runOrdinal) as CheckpointId,
  effect: (threadId: string, sequence: number, index: number) => joinId('effect', threadId, sequence, index) as EffectId,
  event: (threadId: string, sequence: number) => joinId('event', threadId, sequence) as EventId,
  transfer: (type: string, sourceThreadId: string, targetThreadId: string, runOrdinal = 0) =>
    joinId('transfer', type, sourceThreadId, targetThreadId, runOrdinal) as ContextTransferId,
} as const
