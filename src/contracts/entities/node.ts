/** @module The execution tree of a run, and provider-native subagents hanging off it. */
import { z } from 'zod'
import { NodeId, ProviderThreadId, ProviderTurnId, RunId, RuntimeRequestId, ThreadId } from '../ids.ts'
import { ProviderKind } from '../modes.ts'
import { Millis, ProviderRef } from './common.ts'

export const NodeKind = z.enum([
  'root_turn',
  'assistant_message',
  'reasoning',
  'plan',
  'todo_list',
  'tool_call',
  'approval_request',
  'user_input_request',
  'subagent',
  'hook',
  'system',
])
export type NodeKind = z.infer<typeof NodeKind>

export const NodeStatus = z.enum(['pending', 'running', 'waiting', 'completed', 'interrupted', 'failed', 'cancelled', 'rolled_back'])
export type NodeStatus = z.infer<typeof NodeStatus>

export const ExecutionNode = z.strictObject({
  id: NodeId,
  threadId: ThreadId,
  runId: RunId.nullable(),
  parentNodeId: NodeId.nullable(),
  rootNodeId: NodeId,
  kind: NodeKind,
  status: NodeStatus,
  /** Only root nodes count for a run; only their terminal ends it. */
  countsForRun: z.boolean(),
  providerThreadId: ProviderThreadId.nullable(),
  providerTurnId: ProviderTurnId.nullable(),
  nativeItemRef: ProviderRef.nullable(),
  runtimeRequestId: RuntimeRequestId.nullable(),
  startedAt: Millis,
  completedAt: Millis.nullable(),
})
export type ExecutionNode = z.infer<typeof ExecutionNode>

export const SubagentStatus = z.enum(['pending', 'running', 'waiting', 'completed', 'failed', 'cancelled', 'interrupted'])

export const Subagent = z.strictObject({
  id: NodeId,
  threadId: ThreadId,
  runId: RunId.nullable(),
  parentNodeId: NodeId,
  origin: z.enum(['provider_native', 'app_owned']),
  createdBy: z.enum(['agent', 'user', 'system']),
  provider: ProviderKind,
  providerThreadId: ProviderThreadId.nullable(),
  nativeTaskRef: ProviderRef.nullable(),
  prompt: z.string(),
  title: z.string().nullable(),
  model: z.string().nullable(),
  status: SubagentStatus,
  result: z.string().nullable(),
  startedAt: Millis,
  completedAt: Millis.nullable(),
  updatedAt: Millis,
})
export type Subagent = z.infer<typeof Subagent>
