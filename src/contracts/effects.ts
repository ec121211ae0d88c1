/**
 * @module Effects: what a thread asks the outside world to do, committed in its outbox with
 * the events that caused them. Process-bound effects die with the runner process that took
 * them; replay-safe ones are redelivered until acknowledged (DESIGN.md, "ThreadObject").
 */
import { z } from 'zod'
import { CheckpointId, ContextTransferId, EffectId, MessageId, ProviderThreadId, RunAttemptId, RunId, RuntimeRequestId, ThreadId } from './ids.ts'
import { InteractionMode, ModelSelection, ProviderKind, RuntimeMode } from './modes.ts'
import { ImageAttachment } from './entities/common.ts'
import { Answers, Decision } from './entities/request.ts'
import { ThreadShell } from './projection.ts'

const ProviderThreadHandle = z.strictObject({
  id: ProviderThreadId,
  provider: ProviderKind,
  nativeThreadRef: z.string().nullable(),
  nativeConversationHeadRef: z.string().nullable(),
})

const EffectMessage = z.strictObject({ messageId: MessageId, text: z.string(), attachments: z.array(ImageAttachment) })

export const EffectBody = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('turn.start'),
    runId: RunId,
    attemptId: RunAttemptId,
    runOrdinal: z.number().int(),
    modelSelection: ModelSelection,
    runtimeMode: RuntimeMode,
    interactionMode: InteractionMode,
    message: EffectMessage,
    /** The provider thread to resume, when this thread has talked to this provider before. */
    providerThread: ProviderThreadHandle.nullable(),
    handoffText: z.string().nullable(),
    worktreePath: z.string().nullable(),
    /** Set on a fork's first run: where its files and its conversation start from. */
    fork: z
      .strictObject({
        transferId: ContextTransferId,
        sourceThreadId: ThreadId,
        /** The source checkpoint ref the fork's worktree starts from; null when the source had none. */
        checkpointRef: z.string().nullable(),
        /** The source's provider thread, for a native fork; null when the fork is portable. */
        providerThread: ProviderThreadHandle.nullable(),
        /** The provider turn to fork through; null forks at the provider thread's head. */
        throughNativeTurnRef: z.string().nullable(),
      })
      .nullable()
      .default(null),
  }),
  z.strictObject({
    kind: z.literal('turn.steer'),
    runId: RunId,
    attemptId: RunAttemptId,
    nativeTurnRef: z.string().nullable(),
    message: EffectMessage,
  }),
  z.strictObject({ kind: z.literal('turn.interrupt'), runId: RunId, attemptId: RunAttemptId, nativeTurnRef: z.string().nullable() }),
  z.strictObject({
    kind: z.literal('request.respond'),
    requestId: RuntimeRequestId,
    nativeRequestRef: z.string(),
    decision: Decision.nullable(),
    answers: Answers.nullable(),
  }),
  z.strictObject({ kind: z.literal('session.close'), provider: ProviderKind, reason: z.enum(['idle_timeout', 'thread_deleted', 'thread_archived']) }),
  z.strictObject({
    kind: z.literal('thread.rollback'),
    checkpointId: CheckpointId,
    ref: z.string(),
    appRunOrdinal: z.number().int(),
    providerThread: ProviderThreadHandle.nullable(),
    /** Provider turns to drop from the conversation, newest last. */
    nativeTurnRefs: z.array(z.string()),
  }),
  z.strictObject({ kind: z.literal('shell.push'), shell: ThreadShell }),
  z.strictObject({ kind: z.literal('fork.seed'), targetThreadId: ThreadId, seed: z.string() }),
  z.strictObject({ kind: z.literal('merge_back.deliver'), targetThreadId: ThreadId, delivery: z.string() }),
])
export type EffectBody = z.infer<typeof EffectBody>
export type EffectKind = EffectBody['kind']

/** Which effects a runner carries out, and which of those die with its process. */
export const EFFECT_ROUTING: Record<EffectKind, { target: 'runner' | 'workspace' | 'thread'; processBound: boolean }> = {
  'turn.start': { target: 'runner', processBound: true },
  'turn.steer': { target: 'runner', processBound: true },
  'turn.interrupt': { target: 'runner', processBound: true },
  'request.respond': { target: 'runner', processBound: true },
  'session.close': { target: 'runner', processBound: false },
  'thread.rollback': { target: 'runner', processBound: false },
  'shell.push': { target: 'workspace', processBound: false },
  'fork.seed': { target: 'thread', processBound: false },
  'merge_back.deliver': { target: 'thread', processBound: false },
}

export const Effect = z.strictObject({ effectId: EffectId, threadId: ThreadId, body: EffectBody })
export type Effect = z.infer<typeof Effect>
