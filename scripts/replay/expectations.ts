/**
 * @module The expectation table of the upstream corpus README (what each scenario must show once
 * replayed) as checks on a whole-system replay: the projection a subscriber folded and the event
 * log it saw. Each check returns what is wrong, one line each; empty when the scenario is met.
 * Scenarios without a row (none in the corpus today) pass on the invariants alone.
 */
import type { StoredEvent, ThreadProjection, TurnItem } from '../../src/contracts/index.ts'

export type ReplayedThread = { projection: ThreadProjection; events: readonly StoredEvent[]; forks?: readonly { threadId: string; projection: ThreadProjection }[] }
type Check = (r: ReplayedThread) => string[]

const need = (ok: boolean, what: string): string[] => (ok ? [] : [what])
const runsInOrder = (p: ThreadProjection) => [...p.runs].sort((a, b) => a.ordinal - b.ordinal)
const statuses = (p: ThreadProjection): string => `[${runsInOrder(p).map((r) => r.status).join(', ')}]`
const itemTypes = (p: ThreadProjection): Set<string> => new Set(p.turnItems.map((i) => i.content.type))
const assistantTexts = (p: ThreadProjection): string[] => p.turnItems.flatMap((i) => (i.content.type === 'assistant_message' ? [i.content.text.trim()] : []))
const TOOL_ITEMS: ReadonlySet<TurnItem['content']['type']> = new Set(['command_execution', 'file_change', 'dynamic_tool', 'web_search'])

const completedRuns = (min: number): Check => ({ projection: p }) =>
  need(p.runs.length >= min && p.runs.every((r) => r.status === 'completed'), `${min}+ completed runs, got ${statuses(p)}`)

const oneProviderThread: Check = ({ projection: p }) =>
  need(p.providerThreads.length === 1, `one provider thread (resumed, not a new session), got ${p.providerThreads.length}`)

const all = (...checks: Check[]): Check => (r) => checks.flatMap((c) => c(r))

const interrupted: Check = ({ projection: p }) => {
  const run = runsInOrder(p)[0]
  const attempt = p.attempts.find((a) => a.runId === run?.id)
  const root = p.nodes.find((n) => n.id === attempt?.rootNodeId)
  return [
    ...need(p.runs.length === 1 && run?.status === 'interrupted', `one interrupted run, got ${statuses(p)}`),
    ...need(attempt?.status === 'interrupted', `attempt interrupted, got ${String(attempt?.status)}`),
    ...need(root?.status === 'interrupted', `root node interrupted, got ${String(root?.status)}`),
    ...need(itemTypes(p).has('run_interrupt_request') && itemTypes(p).has('run_interrupt_result'), 'interrupt request and result items'),
  ]
}

/** Tool calls arrive as typed items; approvals are raised when the policy asks and every one is resolved. */
const toolCalls = (approvals: 'none' | 'some'): Check => ({ projection: p }) => [
  ...completedRuns(1)({ projection: p, events: [] }),
  ...need(p.turnItems.some((i) => TOOL_ITEMS.has(i.content.type)), `a typed tool item, got [${[...itemTypes(p)].join(', ')}]`),
  ...need(!itemTypes(p).has('generic'), 'no tool call left as a generic item'),
  ...(approvals === 'none'
    ? need(p.runtimeRequests.length === 0, `no approval under this policy, got ${p.runtimeRequests.length}`)
    : need(p.runtimeRequests.length > 0, 'an approval raised')),
  ...need(p.runtimeRequests.every((r) => r.status === 'resolved'), `every approval resolved, got [${p.runtimeRequests.map((r) => r.status).join(', ')}]`),
]

/** Subagents are child nodes; they never create app runs of their own nor end the parent run. */
const subagents: Check = ({ projection: p }) => [
  ...completedRuns(1)({ projection: p, events: [] }),
  ...need(p.subagents.length > 0 || p.nodes.some((n) => n.kind === 'subagent'), 'a subagent node'),
  ...need(p.nodes.filter((n) => n.kind === 'root_turn').length === p.attempts.length, 'one root node per attempt (a subagent made no run of its own)'),
]

/** Run 2 was queued while run 1 was active, and the runs completed in order. */
const queued: Check = ({ projection: p, events }) => {
  const [first, second] = runsInOrder(p)
  const queuedSeen = events.some((e) => {
    const ev = e.event as { type: string; payload?: { id?: string; status?: string } }
    return ev.payload?.id === second?.id && ev.payload?.status === 'queued'
  })
  return [
    ...completedRuns(2)({ projection: p, events }),
    ...need(second !== undefined && queuedSeen, 'run 2 queued while run 1 was active'),
    ...need((first?.completedAt ?? 0) <= (second?.completedAt ?? 0), 'runs completed in order'),
  ]
}

const restartedAttempt: Check = ({ projection: p }) => {
  const run = runsInOrder(p)[0]
  const attempts = p.attempts.filter((a) => a.runId === run?.id)
  return [
    ...need(p.runs.length === 1 && run?.status === 'completed', `one run, completed after the restart, got ${statuses(p)}`),
    ...need(attempts.length >= 2 && attempts.at(-1)?.status === 'completed', `a second attempt of that run completes, got attempts [${attempts.map((a) => a.status).join(', ')}]`),
  ]
}

const rolledBack: Check = ({ projection: p }) => [
  ...need(p.runs.some((r) => r.status === 'rolled_back'), `a rolled-back run, got ${statuses(p)}`),
  ...need(runsInOrder(p).at(-1)?.status === 'completed', 'the run after the rollback completed'),
]

/** Each fork resolved natively (a new provider thread forked from the source's), holds the source's items as inherited, and ran its own runs. */
const forked = (count: number): Check => ({ projection: source, forks = [] }) => [
  ...need(forks.length === count, `${count} fork(s) of the thread, got ${forks.length}`),
  ...forks.flatMap(({ threadId, projection: p }) => {
    const transfer = p.contextTransfers.find((t) => t.type === 'fork')
    const sourceRefs = new Set(source.providerThreads.map((t) => t.nativeThreadRef))
    return [
      ...need(transfer?.resolution === 'native_fork' && transfer.status === 'consumed', `${threadId}: fork resolved natively, got ${transfer?.status}/${transfer?.resolution}`),
      ...need(p.providerThreads.length > 0 && p.providerThreads.every((t) => !sourceRefs.has(t.nativeThreadRef)), `${threadId}: a provider thread of its own`),
      ...need(p.turnItems.some((i) => i.visibility === 'inherited'), `${threadId}: the source's context inherited`),
      ...need(p.runs.length > 0 && p.runs.every((r) => r.status === 'completed'), `${threadId}: its own runs completed, got ${statuses(p)}`),
    ]
  }),
]

/**
 * Forks as above, and each merge-back delivered to the source and consumed by its next run: the
 * source has `runs` runs (the merge-backs ride in the run after them, never a run of their own).
 */
const mergedBack = (count: number, runs: number): Check => (r) => {
  const merges = r.projection.contextTransfers.filter((t) => t.type === 'merge_back')
  return [
    ...forked(count)(r),
    ...need(merges.length === count && merges.every((t) => t.status === 'consumed'), `${count} merge-back(s) consumed by the source, got [${merges.map((t) => t.status).join(', ')}]`),
    ...need(r.projection.runs.length === runs && r.projection.runs.every((x) => x.status === 'completed'), `${runs} completed runs on the source, got ${statuses(r.projection)}`),
  ]
}

const hasItem = (type: TurnItem['content']['type'], what: string): Check => ({ projection: p }) => need(itemTypes(p).has(type), what)

export const UPSTREAM_EXPECTATIONS: Readonly<Record<string, Check>> = {
  simple: all(completedRuns(1), ({ projection: p }) => [
    ...need(p.runs.length === 1, `exactly one run, got ${p.runs.length}`),
    ...need(assistantTexts(p).includes('fixture simple ok'), `assistant text "fixture simple ok", got ${JSON.stringify(assistantTexts(p))}`),
  ]),
  multi_turn: all(completedRuns(2), oneProviderThread),
  multi_turn_restart: all(completedRuns(2), oneProviderThread),
  queued_turn: queued,
  message_steering: ({ projection: p }) => need(p.runs.length === 1 && p.runs[0]?.status === 'completed', `steering lands in one completed run, got ${statuses(p)}`),
  turn_interrupt: interrupted,
  turn_interrupt_mid_tool: interrupted,
  turn_interrupt_restart: restartedAttempt,
  tool_call_read_only: toolCalls('none'),
  tool_call_read_only_on_request: toolCalls('some'),
  tool_call_workspace_never: toolCalls('none'),
  thread_rollback: rolledBack,
  thread_fork_native: forked(1),
  thread_fork_native_continue: forked(1),
  thread_fork_native_prior_turn: forked(1),
  thread_fork_native_siblings: forked(2),
  thread_merge_back_continue: mergedBack(1, 2),
  thread_merge_back_siblings: mergedBack(2, 2),
  provider_thread_resume: all(completedRuns(2), oneProviderThread),
  subagent: subagents,
  subagent_continue: subagents,
  subagent_v2: subagents,
  plan_questions: all(completedRuns(1), hasItem('user_input_request', 'a user-input request'), ({ projection: p }) =>
    need(p.runtimeRequests.length > 0 && p.runtimeRequests.every((r) => r.status === 'resolved'), 'the question answered'),
  ),
  proposed_plan: all(completedRuns(1), hasItem('proposed_plan', 'a proposed plan')),
  todo_list: all(completedRuns(1), hasItem('todo_list', 'a todo list')),
  web_search: all(completedRuns(1), hasItem('web_search', 'a web search item')),
  claude_idle_resume: all(completedRuns(2), oneProviderThread),
  claude_local_bash_task: all(completedRuns(1), hasItem('command_execution', 'the background command ingested')),
  claude_provider_wakeup: all(completedRuns(1), hasItem('command_execution', 'the background commands ingested')),
}

/** What is wrong with `scenario`'s replayed thread against the README's expectation. */
export const expectationMisses = (scenario: string, r: ReplayedThread): string[] => UPSTREAM_EXPECTATIONS[scenario]?.(r) ?? []
