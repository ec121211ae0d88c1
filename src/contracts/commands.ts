/**
 * @module The commands clients dispatch to a thread. Each carries a `commandId` (a repeat
 * returns the first result) and an optional `expectedSequence` (optimistic concurrency).
 */
import { z } from 'zod'
import { CheckpointId, CommandId, MessageId, RunId, RuntimeRequestId, ThreadId, WorkspaceId } from './ids.ts'
import { InteractionMode, LIMITS, ModelSelection, RuntimeMode } from './modes.ts'
import { ImageAttachment } from './entities/common.ts'
import { Answers, Decision } from './entities/request.ts'
import { SourcePoint } from './entities/lineage.ts'

const base = {
  commandId: CommandId,
  expectedSequence: z.number().int().nonnegative().optional(),
}

const title = z.string().trim().min(1).max(LIMITS.titleChars)

export const DispatchMode = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('start_immediately') }),
  z.strictObject({ type: z.literal('queue_after_active') }),
  z.strictObject({ type: z.literal('steer_active'), targetRunId: RunId }),
  z.strictObject({ type: z.literal('restart_active'), targetRunId: RunId }),
])
export type DispatchMode = z.infer<typeof DispatchMode>

export const ThreadCreate = z.strictObject({
  ...base,
  type: z.literal('thread.create'),
  threadId: ThreadId,
  workspaceId: WorkspaceId,
  title: title.default('New thread'),
  modelSelection: ModelSelection,
  runtimeMode: RuntimeMode.default('approval-required'),
  interactionMode: InteractionMode.default('default'),
  branch: z.string().max(255).nullable().default(null),
  worktreePath: z.string().max(4096).nullable().default(null),
})

export const MessageDispatch = z.strictObject({
  ...base,
  type: z.literal('message.dispatch'),
  threadId: ThreadId,
  messageId: MessageId.optional(),
  text: z.string().max(LIMITS.messageChars),
  attachments: z.array(ImageAttachment).max(LIMITS.attachments).default([]),
  modelSelection: ModelSelection.optional(),
  dispatchMode: DispatchMode.default({ type: 'start_immediately' }),
})

export const RunInterrupt = z.strictObject({ ...base, type: z.literal('run.interrupt'), threadId: ThreadId, runId: RunId })

export const QueuedMessagePromoteToSteer = z.strictObject({
  ...base,
  type: z.literal('queued-message.promote-to-steer'),
  threadId: ThreadId,
  queuedRunId: RunId,
  targetRunId: RunId,
})

export const QueuedRunReorder = z.strictObject({
  ...base,
  type: z.literal('queued-run.reorder'),
  threadId: ThreadId,
  runId: RunId,
  beforeRunId: RunId.nullable(),
})

export const RuntimeRequestRespond = z
  .strictObject({
    ...base,
    type: z.literal('runtime-request.respond'),
    threadId: ThreadId,
    requestId: RuntimeRequestId,
    decision: Decision.optional(),
    answers: Answers.optional(),
  })
  .refine((c) => (c.decision === undefined) !== (c.answers === undefined), {
    message: 'give exactly one of decision or answers',
    path: ['decision'],
  })

export const CheckpointRollback = z.strictObject({
  ...base,
  type: z.literal('checkpoint.rollback'),
  threadId: ThreadId,
  checkpointId: CheckpointId,
})

export const ThreadFork = z.strictObject({
  ...base,
  type: z.literal('thread.fork'),
  threadId: ThreadId,
  targetThreadId: ThreadId,
  sourcePoint: SourcePoint,
  title: title.optional(),
})

export const ThreadMergeBack = z.strictObject({
  ...base,
  type: z.literal('thread.merge_back'),
  /** The fork whose work is brought back. */
  threadId: ThreadId,
  /** The thread it was forked from. */
  targetThreadId: ThreadId,
  sourcePoint: SourcePoint.default({ type: 'latest_stable' }),
})

export const ModelSelectionSet = z.strictObject({
  ...base,
  type: z.literal('thread.model-selection.set'),
  threadId: ThreadId,
  modelSelection: ModelSelection,
})

export const RuntimeModeSet = z.strictObject({
  ...base,
  type: z.literal('thread.runtime-mode.set'),
  threadId: ThreadId,
  runtimeMode: RuntimeMode,
})

export const InteractionModeSet = z.strictObject({
  ...base,
  type: z.literal('thread.interaction-mode.set'),
  threadId: ThreadId,
  interactionMode: InteractionMode,
})

export const MetadataUpdate = z
  .strictObject({
    ...base,
    type: z.literal('thread.metadata.update'),
    threadId: ThreadId,
    title: title.optional(),
    branch: z.string().max(255).nullable().optional(),
  })
  .refine((c) => c.title !== undefined || c.branch !== undefined, { message: 'nothing to update', path: ['title'] })

export const ThreadArchive = z.strictObject({ ...base, type: z.literal('thread.archive'), threadId: ThreadId })
export const ThreadUnarchive = z.strictObject({ ...base, type: z.literal('thread.unarchive'), threadId: ThreadId })
export const ThreadDelete = z.strictObject({ ...base, type: z.literal('thread.delete'), threadId: ThreadId })

export const Command = z.discriminatedUnion('type', [
  ThreadCreate,
  MessageDispatch,
  RunInterrupt,
  QueuedMessagePromoteToSteer,
  QueuedRunReorder,
  RuntimeRequestRespond,
  CheckpointRollback,
  ThreadFork,
  ThreadMergeBack,
  ModelSelectionSet,
  RuntimeModeSet,
  InteractionModeSet,
  MetadataUpdate,
  ThreadArchive,
  ThreadUnarchive,
  ThreadDelete,
])
export type Command = z.infer<typeof Command>
export type CommandInput = z.input<typeof Command>
export type CommandType = Command['type']

/** The answer to an accepted command: the last committed sequence of the thread. */
export const DispatchResult = z.strictObject({ sequence: z.number().int().nonnegative() })
export type DispatchResult = z.infer<typeof DispatchResult>
