/**
 * @module The thread's state and `evolve`, the fold of domain events into it.
 *
 * `evolve` updates the state object it is given instead of copying it: a thread holds
 * thousands of items, and copying a collection per event makes a rebuild quadratic (the
 * upstream system's replay was, #4596). The caller owns the state; `decide` never writes it.
 */
import type {
  AppThread,
  Checkpoint,
  CheckpointScope,
  ContextHandoff,
  ContextTransfer,
  ConversationMessage,
  DomainEvent,
  ExecutionNode,
  PlanArtifact,
  ProviderSession,
  ProviderThread,
  ProviderTurn,
  Run,
  RunAttempt,
  RuntimeRequest,
  Subagent,
  TurnItem,
} from '../../contracts/index.ts'

export type Collections = {
  runs: Map<string, Run>
  attempts: Map<string, RunAttempt>
  nodes: Map<string, ExecutionNode>
  subagents: Map<string, Subagent>
  providerSessions: Map<string, ProviderSession>
  providerThreads: Map<string, ProviderThread>
  providerTurns: Map<string, ProviderTurn>
  runtimeRequests: Map<string, RuntimeRequest>
  messages: Map<string, ConversationMessage>
  plans: Map<string, PlanArtifact>
  turnItems: Map<string, TurnItem>
  checkpointScopes: Map<string, CheckpointScope>
  checkpoints: Map<string, Checkpoint>
  contextHandoffs: Map<string, ContextHandoff>
  contextTransfers: Map<string, ContextTransfer>
}
export type CollectionName = keyof Collections
export type EntityOf<C extends CollectionName> = Collections[C] extends Map<string, infer E> ? E : never

export type ThreadState = Collections & {
  thread: AppThread | null
  /** The highest turn item ordinal allocated so far. */
  itemOrdinal: number
}

export const COLLECTION_NAMES: readonly CollectionName[] = [
  'runs',
  'attempts',
  'nodes',
  'subagents',
  'providerSessions',
  'providerThreads',
  'providerTurns',
  'runtimeRequests',
  'messages',
  'plans',
  'turnItems',
  'checkpointScopes',
  'checkpoints',
  'contextHandoffs',
  'contextTransfers',
]

export const initialState = (): ThreadState => ({
  thread: null,
  itemOrdinal: 0,
  runs: new Map(),
  attempts: new Map(),
  nodes: new Map(),
  subagents: new Map(),
  providerSessions: new Map(),
  providerThreads: new Map(),
  providerTurns: new Map(),
  runtimeRequests: new Map(),
  messages: new Map(),
  plans: new Map(),
  turnItems: new Map(),
  checkpointScopes: new Map(),
  checkpoints: new Map(),
  contextHandoffs: new Map(),
  contextTransfers: new Map(),
})

/** Which collection each entity event writes to (`thread.*` writes the thread itself). */
export const COLLECTION_OF: Record<DomainEvent['type'], CollectionName | 'thread'> = {
  'thread.created': 'thread',
  'thread.updated': 'thread',
  'run.created': 'runs',
  'run.updated': 'runs',
  'run-attempt.created': 'attempts',
  'run-attempt.updated': 'attempts',
  'node.updated': 'nodes',
  'subagent.updated': 'subagents',
  'provider-session.updated': 'providerSessions',
  'provider-thread.updated': 'providerThreads',
  'provider-turn.updated': 'providerTurns',
  'runtime-request.updated': 'runtimeRequests',
  'message.updated': 'messages',
  'turn-item.updated': 'turnItems',
  'plan.updated': 'plans',
  'checkpoint-scope.created': 'checkpointScopes',
  'checkpoint.captured': 'checkpoints',
  'checkpoint.updated': 'checkpoints',
  'context-handoff.updated': 'contextHandoffs',
  'context-transfer.created': 'contextTransfers',
  'context-transfer.updated': 'contextTransfers',
}

/** Folds one event into `state` (in place) and returns it. Total over every event type. */
export const evolve = (state: ThreadState, event: DomainEvent): ThreadState => {
  const target = COLLECTION_OF[event.type]
  if (target === 'thread') {
    state.thread = event.payload as AppThread
    return state
  }
  const entity = event.payload as { id: string; ordinal?: number }
  ;(state[target] as Map<string, unknown>).set(entity.id, entity)
  if (target === 'turnItems' && entity.ordinal !== undefined && entity.ordinal > state.itemOrdinal) {
    state.itemOrdinal = entity.ordinal
  }
  return state
}

/** Folds a whole log into a fresh state. */
export const fold = (events: Iterable<DomainEvent>): ThreadState => {
  const state = initialState()
  for (const event of events) evolve(state, event)
  return state
}
