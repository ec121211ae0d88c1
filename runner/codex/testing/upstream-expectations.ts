/**
 * @module The expectation table of ../shared/upstream-fixtures/README.md as checks on a thread
 * projection, for the scenarios a Codex replay can reach. Each check returns what is wrong
 * (empty when the projection meets the expectation).
 */
import type { ThreadProjection } from '../../../src/contracts/index.ts'

type Check = (p: ThreadProjection) => string[]

const statuses = (p: ThreadProjection) => p.runs.map((r) => r.status)
const assistantTexts = (p: ThreadProjection) => p.turnItems.flatMap((i) => (i.content.type === 'assistant_message' ? [i.content.text] : []))
const itemTypes = (p: ThreadProjection) => new Set(p.turnItems.map((i) => i.content.type))
const need = (ok: boolean, what: string): string[] => (ok ? [] : [what])

const completedRuns = (min: number): Check => (p) => need(p.runs.length >= min && p.runs.every((r) => r.status === 'completed'), `${min}+ completed runs, got [${statuses(p).join(', ')}]`)

const interrupted: Check = (p) => {
  const run = p.runs[0]
  const attempt = p.attempts.find((a) => a.runId === run?.id)
  const root = p.nodes.find((n) => n.runId === run?.id && n.kind === 'root_turn')
  return [
    ...need(p.runs.length === 1 && run?.status === 'interrupted', `one interrupted run, got [${statuses(p).join(', ')}]`),
    ...need(attempt?.status === 'interrupted', `attempt interrupted, got ${attempt?.status}`),
    ...need(root?.status === 'interrupted', `root node interrupted, got ${root?.status}`),
    ...need(itemTypes(p).has('run_interrupt_request') && itemTypes(p).has('run_interrupt_result'), 'interrupt request and result items'),
  ]
}

const approvalsResolved: Check = (p) => [
  ...completedRuns(1)(p),
  ...need(itemTypes(p).has('command_execution') || itemTypes(p).has('file_change'), 'a command or file change item'),
  ...need(p.runtimeRequests.every((r) => r.status === 'resolved'), `every approval resolved, got [${p.runtimeRequests.map((r) => r.status).join(', ')}]`),
]

const subagents: Check = (p) => [
  ...completedRuns(1)(p),
  ...need(p.subagents.length > 0, 'a subagent'),
  ...need(p.nodes.some((n) => n.kind === 'subagent'), 'a subagent node'),
]

/** Checks by scenario; a scenario without one passes on the generic checks alone. */
export const UPSTREAM_EXPECTATIONS: Record<string, Check> = {
  simple: (p) => [...completedRuns(1)(p), ...need(p.runs.length === 1, 'exactly one run'), ...need(assistantTexts(p).includes('fixture simple ok'), `assistant text "fixture simple ok", got ${JSON.stringify(assistantTexts(p))}`)],
  multi_turn: (p) => [...completedRuns(2)(p), ...need(p.providerThreads.length === 1, `one provider thread, got ${p.providerThreads.length}`)],
  queued_turn: completedRuns(2),
  message_steering: (p) => need(p.runs.length === 1 && p.runs[0]?.status === 'completed', `one completed run, got [${statuses(p).join(', ')}]`),
  turn_interrupt: interrupted,
  turn_interrupt_mid_tool: interrupted,
  tool_call_read_only: approvalsResolved,
  tool_call_read_only_on_request: (p) => [...approvalsResolved(p), ...need(p.runtimeRequests.length > 0, 'an approval raised')],
  tool_call_workspace_never: approvalsResolved,
  provider_thread_resume: (p) => [...completedRuns(2)(p), ...need(p.providerThreads.length === 1, `one provider thread resumed, got ${p.providerThreads.length}`)],
  subagent: subagents,
  subagent_continue: subagents,
  subagent_v2: subagents,
  plan_questions: (p) => [...completedRuns(1)(p), ...need(itemTypes(p).has('user_input_request'), 'a user-input request'), ...need(p.runtimeRequests.every((r) => r.status === 'resolved'), 'the question answered')],
  proposed_plan: (p) => [...completedRuns(1)(p), ...need(itemTypes(p).has('proposed_plan'), 'a proposed plan')],
  thread_rollback: (p) => [
    ...need(p.runs.some((r) => r.status === 'rolled_back'), `a rolled-back run, got [${statuses(p).join(', ')}]`),
    ...need(p.runs.at(-1)?.status === 'completed', 'the run after the rollback completed'),
  ],
  todo_list: (p) => [...completedRuns(1)(p), ...need(itemTypes(p).has('todo_list'), 'a todo list')],
}

/** Generic checks (no run left active, no item or node of an unknown run) plus the scenario's own. */
export const checkUpstreamExpectation = (scenario: string, p: ThreadProjection): string[] => [
  ...need(p.runs.every((r) => !['queued', 'starting', 'running', 'waiting'].includes(r.status)), `a run left active: [${statuses(p).join(', ')}]`),
  ...need(
    [...p.turnItems, ...p.nodes].every((x) => x.runId === null || p.runs.some((r) => r.id === x.runId)),
    'every item and node belongs to a run of the thread',
  ),
  ...(UPSTREAM_EXPECTATIONS[scenario]?.(p) ?? []),
]
