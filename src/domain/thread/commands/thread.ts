/** @module Creating a thread and changing its settings, archive state and existence. */
import { loomError, type Command } from '../../../contracts/index.ts'
import type { Draft, Rejected } from '../draft.ts'
import { rejected } from '../draft.ts'
import type { DecideContext } from '../context.ts'
import { activeRun, queuedRuns } from '../queries.ts'

type Of<T extends Command['type']> = Extract<Command, { type: T }>
type ThreadCommand = Of<
  | 'thread.model-selection.set'
  | 'thread.runtime-mode.set'
  | 'thread.interaction-mode.set'
  | 'thread.metadata.update'
  | 'thread.archive'
  | 'thread.unarchive'
  | 'thread.delete'
>

export const decideCreate = (draft: Draft, cmd: Of<'thread.create'>, ctx: DecideContext): Rejected | null => {
  if (draft.state.thread !== null) return rejected(loomError('thread_exists', `thread ${cmd.threadId} already exists`))
  draft.putThread('thread.created', {
    id: cmd.threadId,
    workspaceId: cmd.workspaceId,
    title: cmd.title,
    modelSelection: cmd.modelSelection,
    runtimeMode: cmd.runtimeMode,
    interactionMode: cmd.interactionMode,
    branch: cmd.branch,
    worktreePath: cmd.worktreePath,
    activeProviderThreadId: null,
    lineage: { parentThreadId: null, relationshipToParent: null, rootThreadId: cmd.threadId },
    forkedFrom: null,
    checkpoints: 'unknown',
    createdBy: ctx.actor,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    archivedAt: null,
    deletedAt: null,
  })
  return null
}

const hasLiveSession = (draft: Draft) => draft.all('providerSessions').some((s) => s.status !== 'stopped')

const closeSessions = (draft: Draft, reason: 'thread_archived' | 'thread_deleted', ctx: DecideContext): void => {
  for (const session of draft.all('providerSessions')) {
    if (session.status === 'stopped') continue
    draft.put('provider-session.updated', { ...session, status: 'stopped', releaseReason: 'manual_shutdown', updatedAt: ctx.now })
    draft.effect({ kind: 'session.close', provider: session.provider, reason })
  }
}

export const decideThreadChange = (draft: Draft, cmd: ThreadCommand, ctx: DecideContext): Rejected | null => {
  const thread = draft.thread
  const busy = activeRun(draft) !== undefined || queuedRuns(draft).length > 0
  const update = (changes: Partial<typeof thread>) =>
    draft.putThread('thread.updated', { ...thread, ...changes, updatedAt: ctx.now })
  switch (cmd.type) {
    case 'thread.model-selection.set':
      update({ modelSelection: cmd.modelSelection })
      return null
    case 'thread.runtime-mode.set':
      update({ runtimeMode: cmd.runtimeMode })
      return null
    case 'thread.interaction-mode.set':
      update({ interactionMode: cmd.interactionMode })
      return null
    case 'thread.metadata.update':
      update({
        ...(cmd.title !== undefined ? { title: cmd.title } : {}),
        ...(cmd.branch !== undefined ? { branch: cmd.branch } : {}),
      })
      return null
    case 'thread.archive':
      if (busy) return rejected(loomError('run_active', 'stop or finish the running and queued runs before archiving'))
      if (hasLiveSession(draft)) closeSessions(draft, 'thread_archived', ctx)
      update({ archivedAt: ctx.now })
      return null
    case 'thread.unarchive':
      if (thread.archivedAt === null) return rejected(loomError('thread_not_archived', `thread ${thread.id} is not archived`))
      update({ archivedAt: null })
      return null
    case 'thread.delete':
      if (busy) return rejected(loomError('run_active', 'stop or finish the running and queued runs before deleting'))
      if (hasLiveSession(draft)) closeSessions(draft, 'thread_deleted', ctx)
      // No session left (released when idle, or closed by an archive), but a thread that ran has a
      // worktree and refs on the runner: one close tells it to remove them.
      else if (draft.all('runs').length > 0) draft.effect({ kind: 'session.close', provider: thread.modelSelection.provider, reason: 'thread_deleted' })
      update({ deletedAt: ctx.now })
      return null
    default: {
      const never: never = cmd
      throw new Error(`unhandled thread command ${String(never)}`)
    }
  }
}
