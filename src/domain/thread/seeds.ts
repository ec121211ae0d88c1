/**
 * @module The frozen copies one thread sends another: a fork's inheritance, and a fork's delta
 * for merge-back. Both are plain JSON, idempotent by transfer id.
 */
import { z } from 'zod'
import { AppThread, ContextTransfer, ConversationMessage, ThreadId, TurnItem, type ResolvedPoint } from '../../contracts/index.ts'
import type { Draft } from './draft.ts'

export const ForkSeed = z.strictObject({
  transfer: ContextTransfer,
  template: AppThread.pick({ workspaceId: true, modelSelection: true, runtimeMode: true, interactionMode: true, branch: true, worktreePath: true }).extend({
    title: z.string(),
    /** The source's lineage root, so a fork of a fork still names the first thread. */
    rootThreadId: ThreadId,
  }),
  items: z.array(TurnItem),
  messages: z.array(ConversationMessage),
})
export type ForkSeed = z.infer<typeof ForkSeed>

export const MergeBackDelivery = z.strictObject({
  transfer: ContextTransfer,
  items: z.array(TurnItem),
  messages: z.array(ConversationMessage),
})
export type MergeBackDelivery = z.infer<typeof MergeBackDelivery>

/**
 * Items after `afterOrdinal` up to `point`. A run queued while an earlier one ran has items
 * below the point's last ordinal, so later runs are left out by run, not only by ordinal.
 */
const itemsBetween = (draft: Draft, afterOrdinal: number, point: ResolvedPoint) => {
  const later = new Set(draft.all('runs').filter((r) => r.ordinal > point.runOrdinal).map((r) => r.id))
  return draft
    .all('turnItems')
    .filter((i) => i.ordinal > afterOrdinal && i.ordinal <= point.lastItemOrdinal && i.status !== 'rolled_back')
    .filter((i) => i.runId === null || !later.has(i.runId))
    .sort((a, b) => a.ordinal - b.ordinal)
}

const messagesOf = (draft: Draft, items: TurnItem[]) => {
  const ids = new Set(items.flatMap((i) => (i.content.type === 'user_message' || i.content.type === 'assistant_message' ? [i.content.messageId] : [])))
  return draft.all('messages').filter((m) => ids.has(m.id))
}

export const forkSeed = (draft: Draft, transfer: ContextTransfer, title: string | null): ForkSeed => {
  const thread = draft.thread
  const items = itemsBetween(draft, 0, transfer.sourcePoint)
  return {
    transfer,
    template: {
      workspaceId: thread.workspaceId,
      title: title ?? `Fork of ${thread.title}`,
      rootThreadId: thread.lineage.rootThreadId,
      modelSelection: thread.modelSelection,
      runtimeMode: thread.runtimeMode,
      interactionMode: thread.interactionMode,
      branch: thread.branch,
      worktreePath: null,
    },
    items,
    messages: messagesOf(draft, items),
  }
}

export const mergeBackDelivery = (draft: Draft, transfer: ContextTransfer): MergeBackDelivery => {
  const items = itemsBetween(draft, transfer.basePoint?.lastItemOrdinal ?? 0, transfer.sourcePoint).filter(
    (i) => i.visibility === 'local',
  )
  return { transfer, items, messages: messagesOf(draft, items) }
}
