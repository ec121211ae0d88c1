/**
 * @module Canonical runtime events: what a runner reports about a provider, already
 * normalized and provider-neutral. The thread's domain turns them into domain events.
 * Ids that correlate are derived from the provider's native ids (see `deriveId`).
 */
import { z } from 'zod'
import { EffectId, RunAttemptId, RunId } from './ids.ts'
import { ProviderKind } from './modes.ts'
import { ProviderFailure } from './failure.ts'
import { Millis, TokenUsage } from './entities/common.ts'
import { Decision, Question, RequestKind } from './entities/request.ts'
import { FileChange, TodoStep } from './entities/turn-item.ts'
import { CheckpointFile } from './entities/lineage.ts'

const native = z.string().min(1).max(512)
const text = z.string().max(1_000_000)

/** The content of a provider item; the domain adds the app ids. */
export const RuntimeItemContent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('assistant_message'), text }),
  z.strictObject({ type: z.literal('reasoning'), text }),
  z.strictObject({ type: z.literal('command_execution'), command: text, cwd: z.string().nullable(), output: text.nullable(), exitCode: z.number().int().nullable() }),
  z.strictObject({ type: z.literal('file_change'), changes: z.array(FileChange).max(1000) }),
  z.strictObject({ type: z.literal('web_search'), queries: z.array(z.string().max(4000)).max(100), results: z.array(z.strictObject({ title: z.string().nullable(), url: z.string().nullable() })).max(100) }),
  z.strictObject({ type: z.literal('proposed_plan'), markdown: text }),
  z.strictObject({ type: z.literal('todo_list'), steps: z.array(TodoStep).max(500), explanation: z.string().max(10_000).nullable() }),
  z.strictObject({ type: z.literal('dynamic_tool'), toolName: z.string().max(500).nullable(), input: text, output: text.nullable() }),
  z.strictObject({ type: z.literal('error'), failure: ProviderFailure }),
  z.strictObject({ type: z.literal('generic'), nativeType: z.string().max(500), summary: text }),
])
export type RuntimeItemContent = z.infer<typeof RuntimeItemContent>

export const RuntimeItemStatus = z.enum(['running', 'completed', 'failed', 'cancelled', 'interrupted'])

const at = { at: Millis.optional() }

export const RuntimeEvent = z.discriminatedUnion('type', [
  /** The runner took an effect and is carrying it out. */
  z.strictObject({ ...at, type: z.literal('effect.accepted'), effectId: EffectId }),
  /** The effect is done (replay-safe effects are redelivered until this arrives). */
  z.strictObject({ ...at, type: z.literal('effect.completed'), effectId: EffectId }),
  /** The effect could not be carried out; for a turn start this fails the run. */
  z.strictObject({ ...at, type: z.literal('effect.failed'), effectId: EffectId, failure: ProviderFailure }),
  z.strictObject({ ...at, type: z.literal('session.started'), provider: ProviderKind, model: z.string().max(200).nullable() }),
  z.strictObject({ ...at, type: z.literal('session.released'), provider: ProviderKind, reason: z.enum(['idle_timeout', 'runtime_error', 'manual_shutdown', 'server_shutdown']), failure: ProviderFailure.nullable() }),
  z.strictObject({
    ...at,
    type: z.literal('provider-thread.bound'),
    runId: RunId,
    provider: ProviderKind,
    nativeThreadId: native,
    nativeConversationHeadRef: z.string().max(512).nullable(),
  }),
  z.strictObject({ ...at, type: z.literal('turn.started'), runId: RunId, attemptId: RunAttemptId, nativeTurnId: native }),
  z.strictObject({
    ...at,
    type: z.literal('item.updated'),
    runId: RunId,
    nativeItemId: native,
    parentNativeItemId: native.nullable(),
    status: RuntimeItemStatus,
    content: RuntimeItemContent,
  }),
  z.strictObject({
    ...at,
    type: z.literal('request.opened'),
    runId: RunId,
    nativeRequestId: native,
    nativeItemId: native.nullable(),
    kind: RequestKind,
    prompt: z.string().max(10_000).nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
    questions: z.array(Question).max(50).nullable(),
    availableDecisions: z.array(Decision),
  }),
  z.strictObject({
    ...at,
    type: z.literal('request.closed'),
    nativeRequestId: native,
    status: z.enum(['resolved', 'cancelled', 'expired']),
    reason: z.enum(['answered', 'turn_ended', 'run_interrupted', 'provider']).nullable(),
  }),
  z.strictObject({
    ...at,
    type: z.literal('subagent.updated'),
    runId: RunId,
    nativeTaskId: native,
    parentNativeItemId: native.nullable(),
    status: z.enum(['pending', 'running', 'waiting', 'completed', 'failed', 'cancelled', 'interrupted']),
    prompt: z.string().max(100_000),
    title: z.string().max(500).nullable(),
    model: z.string().max(200).nullable(),
    result: z.string().max(1_000_000).nullable(),
    nativeThreadId: native.nullable(),
  }),
  z.strictObject({ ...at, type: z.literal('usage.updated'), runId: RunId, usage: TokenUsage }),
  /** The provider's terminal event for a turn. Only the root turn of the active attempt ends a run. */
  z.strictObject({
    ...at,
    type: z.literal('turn.completed'),
    runId: RunId,
    attemptId: RunAttemptId,
    nativeTurnId: native.nullable(),
    status: z.enum(['completed', 'interrupted', 'failed', 'cancelled']),
    failure: ProviderFailure.nullable(),
    usage: TokenUsage.nullable(),
    nativeConversationHeadRef: z.string().max(512).nullable(),
  }),
  z.strictObject({
    ...at,
    type: z.literal('checkpoint.captured'),
    runId: RunId.nullable(),
    appRunOrdinal: z.number().int().nonnegative(),
    ref: z.string().max(1024),
    files: z.array(CheckpointFile).max(10_000),
  }),
  z.strictObject({ ...at, type: z.literal('workspace.features'), checkpoints: z.enum(['available', 'unavailable']) }),
])
export type RuntimeEvent = z.infer<typeof RuntimeEvent>
