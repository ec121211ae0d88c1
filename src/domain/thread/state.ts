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
  /**
   * The message the shell shows as the thread's last (see `shownAsLast`), kept as entities are
   * put so a commit's summary does not scan every message of a long thread.
   */
  newestMessageId: string | null
  /** Each message's place in the order messages were first put (ties of `updatedAt` go to the later). */
  messageRanks: Map<string, number>
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
  newestMessageId: null,
  messageRanks: new Map(),
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
  if (target === 'thread') state.thread = event.payload as AppThread
  else putEntity(state, target, event.payload as { id: string })
  return state
}

/**
 * Puts one entity into its collection and keeps the derived fields (item ordinal, newest
 * message); evolve and a load from projection rows both go through it.
 */
export const putEntity = (state: ThreadState, collection: CollectionName, entity: { id: string }): void => {
  ;(state[collection] as Map<string, unknown>).set(entity.id, entity)
  if (collection === 'turnItems') {
    const ordinal = (entity as TurnItem).ordinal
    if (ordinal > state.itemOrdinal) state.itemOrdinal = ordinal
  } else if (collection === 'messages') noteMessage(state, entity as ConversationMessage)
}

/** A message the shell may show as the last one: finished and not empty. */
export const shownAsLast = (message: ConversationMessage): boolean => !message.streaming && message.text !== ''

/** The shown message updated last, ties going to the one put first later, by a full scan. */
export const scanNewestMessage = (state: ThreadState): ConversationMessage | null => {
  let newest: ConversationMessage | null = null
  for (const message of state.messages.values()) if (shownAsLast(message) && (newest === null || !isBefore(state, message, newest))) newest = message
  return newest
}

const isBefore = (state: ThreadState, a: ConversationMessage, b: ConversationMessage): boolean =>
  a.updatedAt < b.updatedAt || (a.updatedAt === b.updatedAt && (state.messageRanks.get(a.id) ?? 0) < (state.messageRanks.get(b.id) ?? 0))

// A message's (updatedAt, rank) never goes down, so the newest can only be overtaken or stop
// being shown; only the latter (rare) needs a scan.
const noteMessage = (state: ThreadState, message: ConversationMessage): void => {
  if (!state.messageRanks.has(message.id)) state.messageRanks.set(message.id, state.messageRanks.size)
  const current = state.newestMessageId === null ? undefined : state.messages.get(state.newestMessageId)
  if (shownAsLast(message)) {
    if (current === undefined || current.id === message.id || isBefore(state, current, message)) state.newestMessageId = message.id
  } else if (current?.id === message.id) {
    state.newestMessageId = scanNewestMessage(state)?.id ?? null
  }
}

/** Folds a whole log into a fresh state. */
export const fold = (events: Iterable<DomainEvent>): ThreadState => {
  const state = initialState()
  for (const event of events) evolve(state, event)
  return state
}
