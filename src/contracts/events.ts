/**
 * @module Domain events. Each payload is the whole entity after the change (an upsert), so
 * projections are a fold of the log and a late reader needs no earlier event to apply one.
 */
import { z } from 'zod'
import { AppThread } from './entities/thread.ts'
import { Run, RunAttempt } from './entities/run.ts'
import { ExecutionNode, Subagent } from './entities/node.ts'
import { ProviderSession, ProviderThread, ProviderTurn } from './entities/provider.ts'
import { RuntimeRequest } from './entities/request.ts'
import { ConversationMessage, PlanArtifact, TurnItem } from './entities/turn-item.ts'
import { Checkpoint, CheckpointScope, ContextHandoff, ContextTransfer } from './entities/lineage.ts'
import { CommandId, EventId, ThreadId } from './ids.ts'
import { Actor } from './modes.ts'
import { Millis } from './entities/common.ts'

const event = <T extends string, P extends z.ZodType>(type: T, payload: P) =>
  z.strictObject({ type: z.literal(type), payload })

export const DomainEvent = z.discriminatedUnion('type', [
  event('thread.created', AppThread),
  event('thread.updated', AppThread),
  event('run.created', Run),
  event('run.updated', Run),
  event('run-attempt.created', RunAttempt),
  event('run-attempt.updated', RunAttempt),
  event('node.updated', ExecutionNode),
  event('subagent.updated', Subagent),
  event('provider-session.updated', ProviderSession),
  event('provider-thread.updated', ProviderThread),
  event('provider-turn.updated', ProviderTurn),
  event('runtime-request.updated', RuntimeRequest),
  event('message.updated', ConversationMessage),
  event('turn-item.updated', TurnItem),
  event('plan.updated', PlanArtifact),
  event('checkpoint-scope.created', CheckpointScope),
  event('checkpoint.captured', Checkpoint),
  event('checkpoint.updated', Checkpoint),
  event('context-handoff.updated', ContextHandoff),
  event('context-transfer.created', ContextTransfer),
  event('context-transfer.updated', ContextTransfer),
])
export type DomainEvent = z.infer<typeof DomainEvent>
export type DomainEventType = DomainEvent['type']

/** An event as stored and delivered: its place in the thread's log and who caused it. */
export const StoredEvent = z.strictObject({
  sequence: z.number().int().positive(),
  eventId: EventId,
  threadId: ThreadId,
  commandId: CommandId.nullable(),
  actor: Actor,
  occurredAt: Millis,
  event: DomainEvent,
})
export type StoredEvent = z.infer<typeof StoredEvent>
