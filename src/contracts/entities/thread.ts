/** @module The app thread: one user conversation, possibly served by several providers. */
import { z } from 'zod'
import { CheckpointId, ContextTransferId, ProviderThreadId, RunId, ThreadId, WorkspaceId } from '../ids.ts'
import { Actor, InteractionMode, ModelSelection, RuntimeMode } from '../modes.ts'
import { Millis } from './common.ts'

export const AppThread = z.strictObject({
  id: ThreadId,
  workspaceId: WorkspaceId,
  title: z.string(),
  modelSelection: ModelSelection,
  runtimeMode: RuntimeMode,
  interactionMode: InteractionMode,
  branch: z.string().nullable(),
  worktreePath: z.string().nullable(),
  activeProviderThreadId: ProviderThreadId.nullable(),
  lineage: z.strictObject({
    parentThreadId: ThreadId.nullable(),
    relationshipToParent: z.enum(['fork']).nullable(),
    rootThreadId: ThreadId,
  }),
  forkedFrom: z
    .strictObject({
      threadId: ThreadId,
      runId: RunId.nullable(),
      checkpointId: CheckpointId.nullable(),
      transferId: ContextTransferId,
    })
    .nullable(),
  /** Whether the workspace can checkpoint (a git repository) — reported by the runner. */
  checkpoints: z.enum(['unknown', 'available', 'unavailable']),
  createdBy: Actor,
  createdAt: Millis,
  updatedAt: Millis,
  archivedAt: Millis.nullable(),
  deletedAt: Millis.nullable(),
})
export type AppThread = z.infer<typeof AppThread>
