/** @module What every ingest step shares: its context, its result, and where a run's items hang. */
import type { EffectBody, NodeId, Run } from '../../contracts/index.ts'
import { accepted, type Accepted, type Draft } from './draft.ts'
import type { DecideContext } from './context.ts'

export type IngestContext = DecideContext & {
  epoch: number
  /** The outbox body of an effect the event refers to. */
  effectBody: (effectId: string) => EffectBody | undefined
}

export type Ingested = Accepted & { dropped: string | null }

/** Ends an ingest step; `dropped` says why an event no longer applied. */
export const done = (draft: Draft, dropped: string | null = null): Ingested => ({ ...accepted(draft), dropped })

/** The root node of the run's active attempt, under which its items hang. */
export const rootOf = (draft: Draft, run: Run): NodeId | null => {
  const attempt = run.activeAttemptId ? draft.get('attempts', run.activeAttemptId) : undefined
  return attempt?.rootNodeId ?? run.rootNodeId
}
