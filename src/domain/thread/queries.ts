/** @module Questions asked of a thread during a decision. */
import { ACTIVE_RUN_STATUSES, TERMINAL_RUN_STATUSES, type Run, type RunStatus } from '../../contracts/index.ts'
import type { Draft } from './draft.ts'

export const isActive = (status: RunStatus): boolean => ACTIVE_RUN_STATUSES.includes(status)
export const isTerminal = (status: RunStatus): boolean => TERMINAL_RUN_STATUSES.includes(status)

export const activeRun = (draft: Draft): Run | undefined => draft.all('runs').find((run) => isActive(run.status))

export const queuedRuns = (draft: Draft): Run[] =>
  draft
    .all('runs')
    .filter((run) => run.status === 'queued')
    .sort((a, b) => (a.queuePosition ?? 0) - (b.queuePosition ?? 0) || a.ordinal - b.ordinal)

export const pendingRequestsOf = (draft: Draft, runId: string) =>
  draft.all('runtimeRequests').filter((request) => request.runId === runId && request.status === 'pending')

export const messagesOfRun = (draft: Draft, runId: string) => draft.all('messages').filter((m) => m.runId === runId)

/** The provider thread this thread already has with a provider, to resume instead of starting anew. */
export const providerThreadFor = (draft: Draft, provider: string) =>
  draft
    .all('providerThreads')
    .filter((pt) => pt.provider === provider && pt.appThreadId === draft.thread.id && pt.status !== 'closed')
    .sort((a, b) => (b.lastRunOrdinal ?? 0) - (a.lastRunOrdinal ?? 0))[0]
