/**
 * @module What a run's provider must be told at its start, and how: the strategy choice of
 * DESIGN.md "Provider switch" and "Fork and merge-back". A provider that has not seen this
 * thread gets a full summary; one that has gets only what happened since (its old provider
 * thread is resumed); a fork's first run forks the source's provider thread natively where the
 * capabilities allow, else gets the inherited conversation as a summary; a merge-back waiting
 * on this thread is passed as the fork's delta. Each handoff is recorded (ContextHandoff) and
 * shown (a `handoff` turn item), so the user sees exactly what was passed.
 */
import {
  deriveId,
  joinId,
  type ContextHandoffId,
  type ContextTransfer,
  type HandoffEntry,
  type ProviderKind,
  type ProviderThread,
  type EffectBody,
  type Run,
  type RunStatus,
} from '../../contracts/index.ts'
import type { DecideContext } from './context.ts'
import type { Draft } from './draft.ts'
import { entriesOf, renderHandoff, type HandoffStrategy } from './handoff.ts'

type Fork = NonNullable<Extract<EffectBody, { kind: 'turn.start' }>['fork']>
type Planned = { strategy: HandoffStrategy; entries: HandoffEntry[]; fromProviderThreadIds: string[]; fromProviders: ProviderKind[]; transfer: ContextTransfer | null }

export type RunContext = { handoffText: string | null; fork: Fork | null }

const handoffId = (runId: string, index: number) => joinId('handoff', runId, index) as ContextHandoffId

/** The fork transfer this thread was created by, while its first run has not resolved it. */
const unresolvedFork = (draft: Draft): ContextTransfer | undefined => {
  const ref = draft.thread.forkedFrom?.transferId
  const transfer = ref ? draft.get('contextTransfers', ref) : undefined
  return transfer?.type === 'fork' && transfer.status === 'delivered' ? transfer : undefined
}

/** Merge-backs delivered to this thread and not yet passed to a provider, oldest first. */
const pendingMergeBacks = (draft: Draft): ContextTransfer[] =>
  draft
    .all('contextTransfers')
    .filter((t) => t.type === 'merge_back' && t.targetThreadId === draft.thread.id && t.status === 'delivered')
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))

/** Whether the provider can fork `origin` natively at its point. */
const nativeForkPoint = (transfer: ContextTransfer, provider: ProviderKind, ctx: DecideContext): Fork['providerThread'] => {
  const source = transfer.origin?.providerThread
  if (!source || source.provider !== provider || !source.nativeThreadRef) return null
  const caps = ctx.capabilities(provider)
  if (!caps.threads.canForkThread || !caps.threads.canForkFromTurn) return null
  // A provider without strong turn ids forks at a conversation head, not at a turn.
  const point = caps.identity.nativeTurnIds === 'strong' ? transfer.origin?.throughNativeTurnRef : source.nativeConversationHeadRef
  return point ? source : null
}

/**
 * Chooses the context of `run`'s first attempt, records the handoffs and transfer resolutions,
 * and returns what the `turn.start` effect carries.
 */
export const planRunContext = (draft: Draft, run: Run, target: ProviderThread | undefined, ctx: DecideContext): RunContext => {
  const runs = draft.all('runs')
  const ordinalOf = new Map(runs.map((r) => [r.id as string, r.ordinal]))
  const runOf = new Map(runs.map((r) => [r.id as string, r]))
  const prior = draft
    .all('turnItems')
    .filter((i) => i.runId === null || !runOf.has(i.runId) || ((ordinalOf.get(i.runId) ?? 0) < run.ordinal && runOf.get(i.runId)?.status !== 'rolled_back'))
  const ordinal = (runId: string | null) => (runId === null ? null : (ordinalOf.get(runId) ?? null))
  const providersOf = (ids: Iterable<string>) =>
    [...new Set([...ids].map((id) => draft.get('providerThreads', id)?.provider).filter((p): p is ProviderKind => p !== undefined))].sort()

  const planned: Planned[] = []
  let fork: Fork | null = null
  const forkTransfer = target ? undefined : unresolvedFork(draft)
  if (forkTransfer) {
    const native = nativeForkPoint(forkTransfer, run.provider, ctx)
    fork = {
      transferId: forkTransfer.id,
      sourceThreadId: forkTransfer.sourceThreadId,
      checkpointRef: forkTransfer.origin?.checkpointRef ?? null,
      providerThread: native,
      throughNativeTurnRef: native ? (forkTransfer.origin?.throughNativeTurnRef ?? null) : null,
    }
    draft.put('context-transfer.updated', {
      ...forkTransfer,
      status: native ? 'resolved_native' : 'resolved_portable',
      resolution: native ? 'native_fork' : 'portable_context',
      targetProvider: run.provider,
      targetRunId: run.id,
      updatedAt: ctx.now,
    })
    if (!native) {
      const source = forkTransfer.origin?.providerThread
      planned.push({
        strategy: 'full_thread_summary',
        entries: entriesOf(prior, ordinal),
        fromProviderThreadIds: source ? [source.id] : [],
        fromProviders: forkTransfer.sourceProvider ? [forkTransfer.sourceProvider] : [],
        transfer: forkTransfer,
      })
    }
  } else if (target) {
    // Runs this provider thread did not serve since it last took part.
    const seen = target.lastRunOrdinal ?? 0
    const missed = runs.filter((r) => r.ordinal > seen && r.ordinal < run.ordinal && r.status !== 'rolled_back' && r.providerThreadId !== target.id)
    const missedIds = new Set<string>(missed.map((r) => r.id))
    const entries = entriesOf(prior.filter((i) => i.runId !== null && missedIds.has(i.runId)), ordinal)
    const from = missed.flatMap((r) => (r.providerThreadId ? [r.providerThreadId] : []))
    if (entries.length > 0) planned.push({ strategy: 'delta_since_target_last_seen', entries, fromProviderThreadIds: [...new Set(from)], fromProviders: providersOf(from), transfer: null })
  } else {
    const entries = entriesOf(prior, ordinal)
    const from = runs.filter((r) => r.ordinal < run.ordinal && r.providerThreadId).map((r) => r.providerThreadId as string)
    const origin = draft.thread.forkedFrom ? draft.get('contextTransfers', draft.thread.forkedFrom.transferId) : undefined
    const fromProviders = providersOf(from)
    if (fromProviders.length === 0 && origin?.sourceProvider) fromProviders.push(origin.sourceProvider)
    // Only conversation some agent took part in is handed on (a run no provider took has nothing to pass).
    const seenBefore = from.length > 0 || prior.some((i) => i.visibility === 'inherited')
    if (seenBefore && entries.length > 0) planned.push({ strategy: 'full_thread_summary', entries, fromProviderThreadIds: [...new Set(from)], fromProviders, transfer: null })
  }

  for (const transfer of pendingMergeBacks(draft)) {
    planned.push({
      strategy: 'fork_delta_summary',
      entries: transfer.delta ?? [],
      fromProviderThreadIds: transfer.sourcePoint.providerThreadId ? [transfer.sourcePoint.providerThreadId] : [],
      fromProviders: transfer.sourceProvider ? [transfer.sourceProvider] : [],
      transfer,
    })
    draft.put('context-transfer.updated', { ...transfer, status: 'resolved_portable', resolution: 'fork_delta_context', targetProvider: run.provider, targetRunId: run.id, updatedAt: ctx.now })
    const marker = draft.get('turnItems', deriveId.signalItem(transfer.id, 'merge-back', 1))
    if (marker && marker.status === 'pending') draft.put('turn-item.updated', { ...marker, status: 'completed', completedAt: ctx.now, updatedAt: ctx.now })
  }

  if (planned.length === 0) return { handoffText: null, fork }
  const max = ctx.capabilities(run.provider).context.maxRecommendedHandoffChars
  const texts: string[] = []
  const ids: ContextHandoffId[] = []
  planned.forEach((plan, index) => {
    const id = handoffId(run.id, index + 1)
    const { text } = renderHandoff({
      strategy: plan.strategy,
      fromProviders: plan.fromProviders,
      toProvider: run.provider,
      entries: plan.entries,
      maxChars: max === null ? null : Math.floor(max / planned.length),
      ...(plan.strategy === 'fork_delta_summary' && plan.transfer ? { sourceThreadId: plan.transfer.sourceThreadId } : {}),
    })
    const itemId = deriveId.signalItem(run.id, 'handoff', index + 1)
    const covered = plan.entries.map((e) => e.runOrdinal ?? 0)
    draft.put('context-handoff.updated', {
      id,
      transferId: plan.transfer?.id ?? null,
      threadId: draft.thread.id,
      targetRunId: run.id,
      fromProviderThreadIds: plan.fromProviderThreadIds as ProviderThread['id'][],
      toProviderThreadId: target?.id ?? null,
      coveredRunOrdinals: { from: covered.length ? Math.min(...covered) : 0, to: covered.length ? Math.max(...covered) : 0 },
      strategy: plan.strategy,
      status: 'ready',
      summaryText: text,
      summaryItemId: itemId,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    })
    draft.put('turn-item.updated', {
      id: itemId,
      threadId: draft.thread.id,
      runId: run.id,
      nodeId: null,
      providerThreadId: target?.id ?? null,
      parentItemId: null,
      ordinal: draft.nextItemOrdinal(),
      status: 'completed',
      visibility: 'synthetic',
      sourceThreadId: plan.strategy === 'fork_delta_summary' ? (plan.transfer?.sourceThreadId ?? null) : null,
      startedAt: ctx.now,
      completedAt: ctx.now,
      updatedAt: ctx.now,
      content: { type: 'handoff', contextHandoffId: id, fromProviders: plan.fromProviders, toProvider: run.provider, strategy: plan.strategy, summary: text },
    })
    texts.push(text)
    ids.push(id)
  })
  if (target) draft.put('provider-thread.updated', { ...target, handoffIds: [...target.handoffIds, ...ids], updatedAt: ctx.now })
  return { handoffText: texts.join('\n\n'), fork }
}

/** A run ended: the transfers it carried are consumed, or wait for the next run when it did not complete. */
export const settleRunTransfers = (draft: Draft, run: Run, status: RunStatus, ctx: DecideContext): void => {
  const completed = status === 'completed'
  for (const transfer of draft.all('contextTransfers')) {
    if (transfer.targetRunId !== run.id || (transfer.status !== 'resolved_native' && transfer.status !== 'resolved_portable')) continue
    if (completed) draft.put('context-transfer.updated', { ...transfer, status: 'consumed', consumedAt: ctx.now, updatedAt: ctx.now })
    else if (transfer.type === 'merge_back') {
      draft.put('context-transfer.updated', { ...transfer, status: 'delivered', targetRunId: null, updatedAt: ctx.now })
      const marker = draft.get('turnItems', deriveId.signalItem(transfer.id, 'merge-back', 1))
      if (marker) draft.put('turn-item.updated', { ...marker, status: 'pending', completedAt: null, updatedAt: ctx.now })
    }
    else draft.put('context-transfer.updated', { ...transfer, status: 'failed', error: `the run that resolved it ended ${status}`, updatedAt: ctx.now })
  }
}
