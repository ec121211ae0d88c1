/**
 * @module Commands the object gives itself: runner presence, the lease, idle release, request
 * expiry, and the seeds other threads send. They go through the same decider as user commands.
 */
import { deriveId, loomError } from '../../contracts/index.ts'
import { Draft, accepted, rejected, type Decision } from './draft.ts'
import type { ThreadState } from './state.ts'
import type { DecideContext } from './context.ts'
import { activeRun } from './queries.ts'
import { loseRunner, refreshWaiting, startNextQueued } from './run-lifecycle.ts'
import { ForkSeed, MergeBackDelivery } from './seeds.ts'
import { entriesOf } from './handoff.ts'

export type SystemCommand =
  | { type: 'runner.linked'; epoch: number }
  | { type: 'runner.lost'; epoch: number; reason: 'lease_expired' | 'fenced' | 'process_exited' }
  | { type: 'idle.release' }
  | { type: 'requests.expire' }
  | { type: 'fork.seed'; seed: string }
  | { type: 'merge_back.receive'; delivery: string }
  /** What became of a transfer this thread sent (a fork seed or a merge-back delivery). */
  | { type: 'transfer.outcome'; transferId: string; delivered: boolean; error: string | null }

const LOST_MESSAGES = {
  lease_expired: 'The runner stopped answering within its lease',
  fenced: 'A new runner process replaced the one serving this run',
  process_exited: 'The runner process exited',
} as const

export const decideSystem = (state: ThreadState, cmd: SystemCommand, ctx: DecideContext): Decision => {
  const draft = new Draft(state)
  if (state.thread === null && cmd.type !== 'fork.seed') return rejected(loomError('thread_not_found', 'the thread does not exist'))
  switch (cmd.type) {
    case 'runner.linked':
      startNextQueued(draft, { ...ctx, runnerEpoch: cmd.epoch })
      return accepted(draft)
    case 'runner.lost':
      loseRunner(draft, cmd.epoch, LOST_MESSAGES[cmd.reason], ctx)
      return accepted(draft)
    case 'idle.release':
      if (activeRun(draft) || draft.all('runtimeRequests').some((r) => r.status === 'pending')) return accepted(draft)
      for (const session of draft.all('providerSessions')) {
        if (session.status === 'stopped') continue
        draft.put('provider-session.updated', { ...session, status: 'stopped', releaseReason: 'idle_timeout', updatedAt: ctx.now })
        draft.effect({ kind: 'session.close', provider: session.provider, reason: 'idle_timeout' })
      }
      return accepted(draft)
    case 'requests.expire':
      for (const request of draft.all('runtimeRequests')) {
        if (request.status !== 'pending' || request.expiresAt === null || request.expiresAt > ctx.now) continue
        draft.put('runtime-request.updated', {
          ...request,
          status: 'expired',
          responseCapability: { type: 'not_resumable', reason: 'expired' },
          response: { decision: request.kind === 'user_input' ? 'cancel' : 'decline', answers: null, by: 'system', at: ctx.now },
          resolvedAt: ctx.now,
        })
        // Its node and item stop waiting too, or the display shows a live request forever.
        const node = draft.get('nodes', request.nodeId)
        if (node) draft.put('node.updated', { ...node, status: 'cancelled', completedAt: ctx.now })
        const item = draft.get('turnItems', deriveId.requestItem(request.id))
        if (item) draft.put('turn-item.updated', { ...item, status: 'cancelled', completedAt: ctx.now, updatedAt: ctx.now })
        // The provider is still waiting on the callback: answer it so the turn can go on.
        draft.effect({
          kind: 'request.respond',
          requestId: request.id,
          nativeRequestRef: request.nativeRequestRef,
          decision: request.kind === 'user_input' ? 'cancel' : 'decline',
          answers: null,
        })
        refreshWaiting(draft, request.runId)
      }
      return accepted(draft)
    case 'fork.seed':
      return seedFork(draft, state, cmd.seed, ctx)
    case 'merge_back.receive':
      return receiveMergeBack(draft, cmd.delivery, ctx)
    case 'transfer.outcome': {
      const transfer = draft.get('contextTransfers', cmd.transferId)
      if (!transfer || transfer.status !== 'pending') return accepted(draft)
      draft.put('context-transfer.updated', {
        ...transfer,
        status: cmd.delivered ? 'delivered' : 'failed',
        error: cmd.delivered ? null : (cmd.error ?? 'the target thread refused the transfer'),
        updatedAt: ctx.now,
      })
      return accepted(draft)
    }
    default: {
      const never: never = cmd
      throw new Error(`unhandled system command ${String(never)}`)
    }
  }
}

const seedFork = (draft: Draft, state: ThreadState, raw: string, ctx: DecideContext): Decision => {
  const seed = ForkSeed.parse(JSON.parse(raw))
  const { transfer, template } = seed
  const { rootThreadId, ...settings } = template
  if (state.thread !== null) {
    // Redelivery of the same seed is expected (the outbox retries); anything else is a clash.
    if (state.thread.forkedFrom?.transferId === transfer.id) return accepted(draft)
    return rejected(loomError('thread_exists', `thread ${transfer.targetThreadId} already exists`))
  }
  draft.putThread('thread.created', {
    id: transfer.targetThreadId,
    ...settings,
    activeProviderThreadId: null,
    lineage: { parentThreadId: transfer.sourceThreadId, relationshipToParent: 'fork', rootThreadId },
    forkedFrom: { threadId: transfer.sourceThreadId, runId: transfer.sourcePoint.runId, checkpointId: transfer.sourcePoint.checkpointId, transferId: transfer.id },
    checkpoints: 'unknown',
    createdBy: transfer.createdBy,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    archivedAt: null,
    deletedAt: null,
  })
  for (const message of seed.messages) draft.put('message.updated', { ...message, threadId: transfer.targetThreadId })
  for (const item of seed.items) {
    draft.put('turn-item.updated', {
      ...item,
      threadId: transfer.targetThreadId,
      visibility: 'inherited',
      sourceThreadId: item.sourceThreadId ?? transfer.sourceThreadId,
    })
  }
  draft.put('turn-item.updated', {
    id: deriveId.signalItem(transfer.id, 'fork', 1),
    threadId: transfer.targetThreadId,
    runId: null,
    nodeId: null,
    providerThreadId: null,
    parentItemId: null,
    ordinal: Math.max(transfer.sourcePoint.lastItemOrdinal, draft.state.itemOrdinal) + 1,
    status: 'completed',
    visibility: 'synthetic',
    sourceThreadId: transfer.sourceThreadId,
    startedAt: ctx.now,
    completedAt: ctx.now,
    updatedAt: ctx.now,
    content: { type: 'fork', transferId: transfer.id, sourceThreadId: transfer.sourceThreadId, targetThreadId: transfer.targetThreadId },
  })
  draft.put('context-transfer.created', { ...transfer, status: 'delivered', updatedAt: ctx.now })
  return accepted(draft)
}

const receiveMergeBack = (draft: Draft, raw: string, ctx: DecideContext): Decision => {
  const delivery = MergeBackDelivery.parse(JSON.parse(raw))
  if (draft.get('contextTransfers', delivery.transfer.id)) return accepted(draft)
  // The fork's runs are not this thread's: its entries carry no run ordinal here.
  const delta = entriesOf(delivery.items, () => null)
  draft.put('context-transfer.created', { ...delivery.transfer, status: 'delivered', updatedAt: ctx.now, delta })
  draft.put('turn-item.updated', {
    id: deriveId.signalItem(delivery.transfer.id, 'merge-back', 1),
    threadId: draft.thread.id,
    runId: null,
    nodeId: null,
    providerThreadId: null,
    parentItemId: null,
    ordinal: draft.nextItemOrdinal(),
    status: 'pending',
    visibility: 'synthetic',
    sourceThreadId: delivery.transfer.sourceThreadId,
    startedAt: ctx.now,
    completedAt: null,
    updatedAt: ctx.now,
    content: {
      type: 'fork',
      transferId: delivery.transfer.id,
      sourceThreadId: delivery.transfer.sourceThreadId,
      targetThreadId: delivery.transfer.targetThreadId,
    },
  })
  return accepted(draft)
}
