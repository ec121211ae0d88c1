/** @module Conversation messages, plans and the ordered display list of a thread (turn items). */
import { z } from 'zod'
import {
  CheckpointId,
  ContextHandoffId,
  ContextTransferId,
  MessageId,
  NodeId,
  PlanId,
  ProviderThreadId,
  RunId,
  RuntimeRequestId,
  ThreadId,
  TurnItemId,
} from '../ids.ts'
import { ProviderKind } from '../modes.ts'
import { ProviderFailure } from '../failure.ts'
import { ImageAttachment, Millis } from './common.ts'
import { Question, RequestKind } from './request.ts'

export const ConversationMessage = z.strictObject({
  id: MessageId,
  threadId: ThreadId,
  runId: RunId.nullable(),
  nodeId: NodeId.nullable(),
  role: z.enum(['user', 'assistant', 'system']),
  text: z.string(),
  attachments: z.array(ImageAttachment),
  streaming: z.boolean(),
  createdAt: Millis,
  updatedAt: Millis,
})
export type ConversationMessage = z.infer<typeof ConversationMessage>

export const TodoStep = z.strictObject({
  id: z.string().max(200),
  text: z.string().max(4000),
  status: z.enum(['pending', 'running', 'completed']),
})

export const PlanArtifact = z.discriminatedUnion('kind', [
  z.strictObject({
    id: PlanId,
    threadId: ThreadId,
    runId: RunId.nullable(),
    nodeId: NodeId.nullable(),
    status: z.enum(['draft', 'active', 'completed', 'superseded']),
    kind: z.literal('proposed_plan'),
    markdown: z.string(),
  }),
  z.strictObject({
    id: PlanId,
    threadId: ThreadId,
    runId: RunId.nullable(),
    nodeId: NodeId.nullable(),
    status: z.enum(['draft', 'active', 'completed', 'superseded']),
    kind: z.literal('todo_list'),
    steps: z.array(TodoStep),
    explanation: z.string().nullable(),
  }),
])
export type PlanArtifact = z.infer<typeof PlanArtifact>

export const TurnItemStatus = z.enum(['pending', 'running', 'waiting', 'completed', 'failed', 'cancelled', 'interrupted', 'rolled_back'])
export type TurnItemStatus = z.infer<typeof TurnItemStatus>

export const FileChange = z.strictObject({
  path: z.string().max(4096),
  kind: z.enum(['add', 'delete', 'update', 'rename']),
  additions: z.number().int().nonnegative().nullable(),
  deletions: z.number().int().nonnegative().nullable(),
  diff: z.string().nullable(),
})

export const InputIntent = z.enum(['turn_start', 'queued_turn', 'steer', 'promoted_queued_to_steer', 'restart'])
export type InputIntent = z.infer<typeof InputIntent>

/** What an item shows; one variant per kind of thing in a conversation. */
export const TurnItemContent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('user_message'), messageId: MessageId, inputIntent: InputIntent, text: z.string(), attachmentCount: z.number().int() }),
  z.strictObject({ type: z.literal('assistant_message'), messageId: MessageId, text: z.string(), streaming: z.boolean() }),
  z.strictObject({ type: z.literal('reasoning'), text: z.string(), streaming: z.boolean() }),
  z.strictObject({ type: z.literal('proposed_plan'), planId: PlanId, markdown: z.string(), streaming: z.boolean() }),
  z.strictObject({ type: z.literal('todo_list'), planId: PlanId, steps: z.array(TodoStep), explanation: z.string().nullable() }),
  z.strictObject({ type: z.literal('user_input_request'), requestId: RuntimeRequestId, questions: z.array(Question) }),
  z.strictObject({ type: z.literal('file_change'), changes: z.array(FileChange) }),
  z.strictObject({ type: z.literal('command_execution'), command: z.string(), cwd: z.string().nullable(), output: z.string().nullable(), exitCode: z.number().int().nullable() }),
  z.strictObject({ type: z.literal('web_search'), queries: z.array(z.string()), results: z.array(z.strictObject({ title: z.string().nullable(), url: z.string().nullable() })) }),
  z.strictObject({ type: z.literal('approval_request'), requestId: RuntimeRequestId, requestKind: RequestKind, prompt: z.string().nullable() }),
  z.strictObject({ type: z.literal('checkpoint'), checkpointId: CheckpointId, files: z.number().int() }),
  z.strictObject({ type: z.literal('run_interrupt_request'), message: z.string() }),
  z.strictObject({ type: z.literal('run_interrupt_result'), message: z.string() }),
  z.strictObject({ type: z.literal('handoff'), contextHandoffId: ContextHandoffId, fromProviders: z.array(ProviderKind), toProvider: ProviderKind, strategy: z.string(), summary: z.string() }),
  z.strictObject({ type: z.literal('fork'), transferId: ContextTransferId, sourceThreadId: ThreadId, targetThreadId: ThreadId }),
  z.strictObject({ type: z.literal('subagent'), subagentId: NodeId, provider: ProviderKind, prompt: z.string(), result: z.string().nullable() }),
  z.strictObject({ type: z.literal('dynamic_tool'), toolName: z.string().nullable(), input: z.string(), output: z.string().nullable() }),
  z.strictObject({ type: z.literal('error'), failure: ProviderFailure }),
  /** A provider item or notification the mapping does not know: shown, never dropped. */
  z.strictObject({ type: z.literal('generic'), nativeType: z.string(), summary: z.string() }),
])
export type TurnItemContent = z.infer<typeof TurnItemContent>
export type TurnItemType = TurnItemContent['type']

export const TurnItem = z.strictObject({
  id: TurnItemId,
  threadId: ThreadId,
  runId: RunId.nullable(),
  nodeId: NodeId.nullable(),
  providerThreadId: ProviderThreadId.nullable(),
  parentItemId: TurnItemId.nullable(),
  /** Position in the thread's display list; allocated once, never reused. */
  ordinal: z.number().int().positive(),
  status: TurnItemStatus,
  visibility: z.enum(['local', 'inherited', 'synthetic']),
  sourceThreadId: ThreadId.nullable(),
  startedAt: Millis,
  completedAt: Millis.nullable(),
  updatedAt: Millis,
  content: TurnItemContent,
})
export type TurnItem = z.infer<typeof TurnItem>
