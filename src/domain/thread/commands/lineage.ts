/**
 * @module Rollback, fork and merge-back, as decisions: what the thread records and which
 * effects it commits. Carrying them out (git, provider conversations) is the runner's part.
 */
import { deriveId, loomError, type Command, type ContextTransfer, type ResolvedPoint, type SourcePoint } from '../../../contracts/index.ts'
import type { Draft, Rejected } from '../draft.ts'
import { rejected } from '../draft.ts'
import type { DecideContext } from '../context.ts'
import { activeRun, queuedRuns } from '../queries.ts'
import { forkSeed, mergeBackDelivery } from '../seeds.ts'

type Of<T extends Command['type']> = Extract<Command, { type: T }>

/** Resolves a fork or merge point to the run it ends at and the last item it includes. */
export const resolvePoint = (draft: Draft, point: SourcePoint): ResolvedPoint | Rejected => {
  const runs = draft.all('runs')
  let runOrdinal: number
  let checkpointId: ResolvedPoint['checkpointId'] = null
  if (point.type === 'checkpoint') {
    const checkpoint = draft.get('checkpoints', point.checkpointId)
    if (!checkpoint || checkpoint.status !== 'ready') {
      return rejected(loomError('fork_point_invalid', `checkpoint ${point.checkpointId} is not a ready checkpoint`))
    }
    runOrdinal = checkpoint.appRunOrdinal
    checkpointId = checkpoint.id
  } else if (point.type === 'run') {
    const run = draft.get('runs', point.runId)
    if (!run || run.status !== 'completed') return rejected(loomError('fork_point_invalid', `run ${point.runId} is not a completed run`))
    runOrdinal = run.ordinal
    checkpointId = run.checkpointId
  } else {
    const latest = runs.filter((r) => r.status === 'completed').sort((a, b) => b.ordinal - a.ordinal)[0]
    if (!latest) return rejected(loomError('fork_point_invalid', 'the thread has no completed run to start from'))
    runOrdinal = latest.ordinal
    checkpointId = latest.checkpointId
  }
  const run = runs.find((r) => r.ordinal === runOrdinal)
  const included = new Set(runs.filter((r) => r.ordinal <= runOrdinal && r.status !== 'rolled_back').map((r) => r.id))
  const lastItemOrdinal = draft
    .all('turnItems')
    .filter((item) => item.runId === null || included.has(item.runId))
    .reduce((max, item) => Math.max(max, item.ordinal), 0)
  return { threadId: draft.thread.id, runId: run?.id ?? null, runOrdinal, checkpointId, lastItemOrdinal, providerThreadId: run?.providerThreadId ?? null }
}

const isRejected = (value: ResolvedPoint | Rejected): value is Rejected => 'ok' in value

/** Where the source's provider conversation and files stand at `point`, for the fork's first run. */
const originOf = (draft: Draft, point: ResolvedPoint): NonNullable<ContextTransfer['origin']> => {
  const checkpointRef = point.checkpointId ? (draft.get('checkpoints', point.checkpointId)?.ref ?? null) : null
  const run = point.runId ? draft.get('runs', point.runId) : undefined
  const providerThread = point.providerThreadId ? draft.get('providerThreads', point.providerThreadId) : undefined
  if (!run || !providerThread) return { providerThread: null, throughNativeTurnRef: null, checkpointRef }
  const attempt = run.activeAttemptId ? draft.get('attempts', run.activeAttemptId) : undefined
  const turn = attempt?.providerTurnId ? draft.get('providerTurns', attempt.providerTurnId) : undefined
  // The thread's head is this turn's end only while no later run of it has moved it on.
  const latest = (providerThread.lastRunOrdinal ?? 0) <= run.ordinal
  const head = turn?.conversationHeadRef ?? (latest ? providerThread.nativeConversationHeadRef : null)
  return {
    providerThread: { id: providerThread.id, provider: providerThread.provider, nativeThreadRef: providerThread.nativeThreadRef, nativeConversationHeadRef: head },
    throughNativeTurnRef: turn?.nativeTurnRef ?? null,
    checkpointRef,
  }
}

export const decideRollback = (draft: Draft, cmd: Of<'checkpoint.rollback'>, ctx: DecideContext): Rejected | null => {
  if (draft.thread.checkpoints === 'unavailable') {
    return rejected(loomError('capability_unsupported', 'checkpoints and rollback are unavailable: the workspace is not a git repository', { feature: 'checkpoints' }))
  }
  if (activeRun(draft) || queuedRuns(draft).length > 0) {
    return rejected(loomError('run_active', 'a rollback waits until no run is active or queued'))
  }
  const checkpoint = draft.get('checkpoints', cmd.checkpointId)
  if (!checkpoint) return rejected(loomError('checkpoint_not_found', `checkpoint ${cmd.checkpointId} does not exist`))
  if (checkpoint.status !== 'ready') return rejected(loomError('checkpoint_not_ready', `checkpoint ${checkpoint.id} is ${checkpoint.status}`))
  const later = draft.all('runs').filter((r) => r.ordinal > checkpoint.appRunOrdinal && r.status !== 'rolled_back')
  const laterIds = new Set(later.map((r) => r.id))
  const nativeTurnRefs: string[] = []
  for (const run of later.sort((a, b) => a.ordinal - b.ordinal)) {
    draft.put('run.updated', { ...run, status: 'rolled_back' })
    for (const attempt of draft.all('attempts')) {
      if (attempt.runId !== run.id || !attempt.providerTurnId) continue
      const turn = draft.get('providerTurns', attempt.providerTurnId)
      if (turn?.nativeTurnRef) nativeTurnRefs.push(turn.nativeTurnRef)
    }
  }
  for (const node of draft.all('nodes')) {
    if (node.runId && laterIds.has(node.runId)) draft.put('node.updated', { ...node, status: 'rolled_back' })
  }
  for (const item of draft.all('turnItems')) {
    if (item.runId && laterIds.has(item.runId)) draft.put('turn-item.updated', { ...item, status: 'rolled_back', updatedAt: ctx.now })
  }
  for (const other of draft.all('checkpoints')) {
    if (other.appRunOrdinal > checkpoint.appRunOrdinal && other.status !== 'stale') draft.put('checkpoint.updated', { ...other, status: 'stale' })
  }
  const anchor = draft.all('runs').find((r) => r.ordinal === checkpoint.appRunOrdinal)
  const providerThread = anchor?.providerThreadId ? draft.get('providerThreads', anchor.providerThreadId) : undefined
  if (providerThread && !ctx.capabilities(providerThread.provider).checkpointing.providerCanRollbackConversation) {
    draft.put('provider-thread.updated', { ...providerThread, status: 'closed', updatedAt: ctx.now })
  }
  // Back to the baseline no conversation is kept: close them so the next run starts a new one.
  if (!anchor) {
    for (const other of draft.all('providerThreads')) {
      if (other.appThreadId === draft.thread.id && other.status !== 'closed') draft.put('provider-thread.updated', { ...other, status: 'closed', updatedAt: ctx.now })
    }
  }
  draft.effect({
    kind: 'thread.rollback',
    checkpointId: checkpoint.id,
    ref: checkpoint.ref,
    appRunOrdinal: checkpoint.appRunOrdinal,
    providerThread: providerThread
      ? { id: providerThread.id, provider: providerThread.provider, nativeThreadRef: providerThread.nativeThreadRef, nativeConversationHeadRef: providerThread.nativeConversationHeadRef }
      : null,
    nativeTurnRefs,
  })
  return null
}

export const decideFork = (draft: Draft, cmd: Of<'thread.fork'>, ctx: DecideContext): Rejected | null => {
  if (cmd.targetThreadId === draft.thread.id) return rejected(loomError('invalid_request', 'a thread cannot fork into itself', { path: ['targetThreadId'] }))
  const transferId = deriveId.transfer('fork', draft.thread.id, cmd.targetThreadId)
  // The target already exists (or is being seeded); a second seed would be taken as a redelivery.
  if (draft.get('contextTransfers', transferId)) return rejected(loomError('thread_exists', `thread ${cmd.targetThreadId} is already a fork of this thread`))
  const point = resolvePoint(draft, cmd.sourcePoint)
  if (isRejected(point)) return point
  const transfer = draft.put('context-transfer.created', {
    id: transferId,
    type: 'fork',
    sourceThreadId: draft.thread.id,
    targetThreadId: cmd.targetThreadId,
    sourcePoint: point,
    basePoint: null,
    sourceProvider: draft.thread.modelSelection.provider,
    targetProvider: draft.thread.modelSelection.provider,
    targetRunId: null,
    status: 'pending',
    resolution: null,
    error: null,
    createdBy: ctx.actor,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    consumedAt: null,
    origin: originOf(draft, point),
  })
  draft.effect({ kind: 'fork.seed', targetThreadId: cmd.targetThreadId, seed: JSON.stringify(forkSeed(draft, transfer, cmd.title ?? null)) })
  return null
}

export const decideMergeBack = (draft: Draft, cmd: Of<'thread.merge_back'>, ctx: DecideContext): Rejected | null => {
  const thread = draft.thread
  if (thread.lineage.parentThreadId !== cmd.targetThreadId || thread.forkedFrom === null) {
    return rejected(loomError('transfer_invalid', `thread ${thread.id} is not a fork of ${cmd.targetThreadId}`))
  }
  const origin = draft.get('contextTransfers', thread.forkedFrom.transferId)
  const point = resolvePoint(draft, cmd.sourcePoint)
  if (isRejected(point)) return point
  const basePoint = origin?.sourcePoint ?? null
  const forkStart = basePoint?.lastItemOrdinal ?? 0
  // The fork marker sits after the fork point too; only the fork's own (local) items count.
  const own = draft
    .all('turnItems')
    .some((i) => i.visibility === 'local' && i.status !== 'rolled_back' && i.ordinal > forkStart && i.ordinal <= point.lastItemOrdinal)
  if (!own) return rejected(loomError('transfer_invalid', 'the fork has nothing of its own to merge back yet'))
  const transferId = deriveId.transfer('merge_back', thread.id, cmd.targetThreadId, point.runOrdinal)
  if (draft.get('contextTransfers', transferId)) return rejected(loomError('transfer_invalid', `this point was already merged back (${transferId})`))
  const transfer = draft.put('context-transfer.created', {
    id: transferId,
    type: 'merge_back',
    sourceThreadId: thread.id,
    targetThreadId: cmd.targetThreadId,
    sourcePoint: point,
    basePoint,
    sourceProvider: thread.modelSelection.provider,
    targetProvider: null,
    targetRunId: null,
    status: 'pending',
    resolution: null,
    error: null,
    createdBy: ctx.actor,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    consumedAt: null,
  })
  draft.effect({ kind: 'merge_back.deliver', targetThreadId: cmd.targetThreadId, delivery: JSON.stringify(mergeBackDelivery(draft, transfer)) })
  return null
}
