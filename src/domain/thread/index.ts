/** @module The thread as pure functions: decide, ingest and evolve, and the views of its state. */
export { decide } from './decide.ts'
export { decideSystem, type SystemCommand } from './system.ts'
export { ingest, type IngestContext, type Ingested } from './ingest.ts'
export { evolve, fold, initialState, putEntity, scanNewestMessage, COLLECTION_NAMES, COLLECTION_OF, type ThreadState, type CollectionName } from './state.ts'
export { toProjection, toShell, shellChanged } from './projection.ts'
export type { DecideContext } from './context.ts'
export type { Decision, Accepted, Rejected } from './draft.ts'
