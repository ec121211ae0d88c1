/** @module Items the thread itself adds to a run's display list: Stop requested, the run interrupted, its failure. */
import type { Run, TurnItemContent, TurnItemId, TurnItemStatus } from '../../contracts/index.ts'
import type { Draft } from './draft.ts'

/** Adds a finished item under the run's root node, at the next position. */
export const addRunSignal = (
  draft: Draft,
  run: Run,
  now: number,
  item: { id: TurnItemId; status: TurnItemStatus; content: TurnItemContent; parentItemId?: TurnItemId | null },
) =>
  draft.put('turn-item.updated', {
    id: item.id,
    threadId: run.threadId,
    runId: run.id,
    nodeId: run.rootNodeId,
    providerThreadId: run.providerThreadId,
    parentItemId: item.parentItemId ?? null,
    ordinal: draft.nextItemOrdinal(),
    status: item.status,
    visibility: 'local',
    sourceThreadId: null,
    startedAt: now,
    completedAt: now,
    updatedAt: now,
    content: item.content,
  })
