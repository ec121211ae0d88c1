/**
 * @module The notification mapping as a pure function of frames: recorded upstream transcripts
 * (../shared/upstream-fixtures, read in place) replayed through the mapper, and hand-made
 * frames in the pinned 0.169 shapes for what the corpus does not cover.
 */
import { existsSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { RuntimeEvent, type RunAttemptId, type RunId } from '../../src/contracts/index.ts'
import type { CodexNotification } from './protocol.ts'
import { readTranscript, replayTranscript, UPSTREAM_FIXTURES, type Replayed } from './testing/replay.ts'
import { CodexEventMapper } from './turn-mapper.ts'

const scenarios = existsSync(UPSTREAM_FIXTURES)
  ? readdirSync(UPSTREAM_FIXTURES).filter((d) => existsSync(new URL(`${d}/codex_transcript.ndjson`, UPSTREAM_FIXTURES)))
  : []
const replay = (scenario: string): Replayed => replayTranscript(readTranscript(new URL(`${scenario}/codex_transcript.ndjson`, UPSTREAM_FIXTURES)))
const of = <T extends RuntimeEvent['type']>(r: { events: RuntimeEvent[] }, type: T) =>
  r.events.filter((e): e is Extract<RuntimeEvent, { type: T }> => e.type === type)
const assistantTexts = (r: Replayed) =>
  of(r, 'item.updated')
    .filter((e) => e.status === 'completed' && e.content.type === 'assistant_message')
    .map((e) => (e.content.type === 'assistant_message' ? e.content.text : ''))

describe.skipIf(scenarios.length === 0)('recorded Codex transcripts', () => {
  it.each(scenarios)('%s: every event is canonical, every run ends once, nothing stays open', (scenario) => {
    const r = replay(scenario)
    for (const event of r.events) expect(RuntimeEvent.safeParse(event).error, JSON.stringify(event).slice(0, 300)).toBeUndefined()
    const started = of(r, 'turn.started').map((e) => e.runId)
    const completed = of(r, 'turn.completed').map((e) => e.runId)
    expect(new Set(completed).size).toBe(completed.length)
    for (const runId of completed) expect(started).toContain(runId)
    // Items and requests of a run that ended are all closed.
    const lastStatus = new Map<string, string>()
    for (const e of of(r, 'item.updated')) lastStatus.set(e.nativeItemId, `${e.runId}|${e.status}`)
    for (const [item, value] of lastStatus) {
      const [runId, status] = value.split('|')
      if (completed.includes(runId as RunId) && of(r, 'subagent.updated').every((s) => s.runId !== runId)) expect(status, item).not.toBe('running')
    }
    const closed = new Set(of(r, 'request.closed').map((e) => e.nativeRequestId))
    for (const opened of of(r, 'request.opened')) if (completed.includes(opened.runId)) expect(closed.has(opened.nativeRequestId)).toBe(true)
  })

  it('simple: one run, streamed and completed assistant text', () => {
    const r = replay('simple')
    expect(of(r, 'turn.completed')).toEqual([expect.objectContaining({ status: 'completed', failure: null })])
    expect(of(r, 'turn.completed')[0]?.usage?.totalTokens).toBeGreaterThan(0)
    expect(assistantTexts(r).at(-1)).toBe('fixture simple ok')
    expect(r.deltas.map((d) => d.text).join('')).toContain('fixture simple ok')
  })

  it('multi_turn and queued_turn: one run per turn, in order', () => {
    for (const scenario of ['multi_turn', 'queued_turn']) {
      const r = replay(scenario)
      expect(of(r, 'turn.completed').map((e) => [e.runId, e.status])).toEqual(of(r, 'turn.started').map((e) => [e.runId, 'completed']))
      expect(of(r, 'turn.started').length).toBeGreaterThanOrEqual(2)
    }
  })

  it('tool_call_read_only_on_request: a command approval is opened, answered and resolved', () => {
    const r = replay('tool_call_read_only_on_request')
    const [opened] = of(r, 'request.opened')
    expect(opened).toMatchObject({ kind: 'command', nativeItemId: expect.stringMatching(/^call_/) })
    expect(of(r, 'request.closed')).toEqual([{ type: 'request.closed', nativeRequestId: opened?.nativeRequestId, status: 'resolved', reason: 'answered' }])
    expect(of(r, 'item.updated').filter((e) => e.nativeItemId === opened?.nativeItemId).map((e) => e.status)).toEqual(['running', 'completed'])
  })

  it('turn_interrupt and turn_interrupt_mid_tool: the run ends interrupted, the open command too', () => {
    expect(of(replay('turn_interrupt'), 'turn.completed')).toEqual([expect.objectContaining({ status: 'interrupted', failure: null })])
    const r = replay('turn_interrupt_mid_tool')
    expect(of(r, 'turn.completed')[0]?.status).toBe('interrupted')
    const command = of(r, 'item.updated').filter((e) => e.content.type === 'command_execution')
    expect(command.map((e) => e.status)).toEqual(['running', 'interrupted'])
  })

  it('message_steering: the steer lands in the same run', () => {
    const r = replay('message_steering')
    expect(of(r, 'turn.started')).toHaveLength(1)
    expect(of(r, 'turn.completed')).toHaveLength(1)
    expect(assistantTexts(r).at(-1)).toBe('steering fixture observed')
  })

  it('proposed_plan: the plan item carries the markdown', () => {
    const plan = of(replay('proposed_plan'), 'item.updated').filter((e) => e.content.type === 'proposed_plan')
    expect(plan.at(-1)?.status).toBe('completed')
    expect(plan.at(-1)?.content.type === 'proposed_plan' && plan.at(-1)?.content).toMatchObject({ markdown: expect.stringMatching(/\S/) })
  })

  it('plan_questions: a user-input request with its questions, answered', () => {
    const r = replay('plan_questions')
    const [opened] = of(r, 'request.opened')
    expect(opened).toMatchObject({ kind: 'user_input', questions: [expect.objectContaining({ id: 'schema_vs_ui_flexibility', options: expect.any(Array) })] })
    expect(of(r, 'request.closed')).toEqual([expect.objectContaining({ status: 'resolved', reason: 'answered' })])
  })

  it('subagent: two collab children with their threads; child turns never end the run', () => {
    const r = replay('subagent')
    const spawns = of(r, 'item.updated').filter((e) => e.content.type === 'dynamic_tool' && e.content.toolName === 'collab:spawnAgent' && e.status === 'completed')
    const children = new Map(of(r, 'subagent.updated').map((e) => [e.nativeTaskId, e]))
    expect(children.size).toBe(2)
    for (const child of children.values()) {
      expect(child.nativeThreadId).toBe(child.nativeTaskId)
      expect(spawns.map((s) => s.nativeItemId)).toContain(child.parentNativeItemId)
      expect(child.status).toBe('completed')
      expect(child.result).toMatch(/\S/)
      expect(r.threads.has(child.nativeTaskId)).toBe(true)
    }
    expect(of(r, 'turn.completed')).toHaveLength(1)
    const childItems = of(r, 'item.updated').filter((e) => e.parentNativeItemId !== null)
    expect(childItems.some((e) => e.content.type === 'command_execution')).toBe(true)
  })

  it('subagent_v2: a sub-agent that finishes after the parent run is still reported on that run', () => {
    const r = replay('subagent_v2')
    const terminal = r.events.findIndex((e) => e.type === 'turn.completed')
    const child = of(r, 'subagent.updated')
    expect(child.map((e) => e.status)).toEqual(['running', 'completed'])
    expect(child.at(-1)).toMatchObject({ nativeTaskId: 'native-v2-child-thread', title: '/root/hello_agent', result: 'Hello.', runId: of(r, 'turn.completed')[0]?.runId })
    expect(r.events.findIndex((e) => e.type === 'subagent.updated' && e.status === 'completed')).toBeGreaterThan(terminal)
  })
})

/** A mapper over hand-made 0.169 frames, with one run begun on thread `t`. */
function fresh() {
  const events: RuntimeEvent[] = []
  const deltas: string[] = []
  const mapper = new CodexEventMapper({ emit: (e) => events.push(e), delta: (_id, text) => deltas.push(text), adopt: () => undefined })
  mapper.bindThread('t')
  mapper.beginTurn({ runId: 'run:1' as RunId, attemptId: 'attempt:1' as RunAttemptId })
  mapper.turnAccepted('u')
  const send = (method: string, params: Record<string, unknown>) => mapper.notification({ method, params } as CodexNotification)
  return { mapper, events, deltas, send, items: () => events.filter((e) => e.type === 'item.updated') }
}

describe('CodexEventMapper on 0.169 frames', () => {
  it('should emit turn.started once, from the first of the turn/start answer and turn/started', () => {
    const { events, send } = fresh()
    send('turn/started', { threadId: 't', turn: { id: 'u', rootTurnId: 'u' } })
    expect(events).toEqual([{ type: 'turn.started', runId: 'run:1', attemptId: 'attempt:1', nativeTurnId: 'u' }])
  })

  it('should map turn/plan/updated to one todo list item per turn, completed with the turn', () => {
    const { events, send, items } = fresh()
    send('turn/plan/updated', { threadId: 't', turnId: 'u', explanation: null, plan: [{ step: 'First', status: 'inProgress' }, { step: 'Second', status: 'pending' }] })
    send('turn/plan/updated', { threadId: 't', turnId: 'u', explanation: 'done', plan: [{ step: 'First', status: 'completed' }, { step: 'Second', status: 'completed' }] })
    send('turn/completed', { threadId: 't', turn: { id: 'u', status: 'completed', error: null } })
    expect(items().map((e) => [e.nativeItemId, e.status])).toEqual([
      ['turn-plan:u', 'running'],
      ['turn-plan:u', 'running'],
      ['turn-plan:u', 'completed'],
    ])
    expect(items()[0]?.content).toEqual({
      type: 'todo_list',
      steps: [
        { id: '1', text: 'First', status: 'running' },
        { id: '2', text: 'Second', status: 'pending' },
      ],
      explanation: null,
    })
    expect(events.at(-1)).toMatchObject({ type: 'turn.completed', status: 'completed' })
  })

  it('should map a web search item with its query', () => {
    const { send, items } = fresh()
    send('item/completed', { threadId: 't', turnId: 'u', item: { type: 'webSearch', id: 'ws_1', query: 'loom docs', action: { type: 'search', query: 'loom docs', queries: null }, results: null } })
    expect(items()).toEqual([expect.objectContaining({ nativeItemId: 'ws_1', status: 'completed', content: { type: 'web_search', queries: ['loom docs'], results: [] } })])
  })

  it('should show reasoning only once it has text, streaming its deltas', () => {
    const { send, items, deltas } = fresh()
    send('item/started', { threadId: 't', turnId: 'u', item: { type: 'reasoning', id: 'rs_empty', summary: [], content: [] } })
    send('item/completed', { threadId: 't', turnId: 'u', item: { type: 'reasoning', id: 'rs_empty', summary: [], content: [] } })
    send('item/started', { threadId: 't', turnId: 'u', item: { type: 'reasoning', id: 'rs_1', summary: [], content: [] } })
    send('item/reasoning/summaryTextDelta', { threadId: 't', turnId: 'u', itemId: 'rs_1', delta: 'Thinking', summaryIndex: 0 })
    send('item/completed', { threadId: 't', turnId: 'u', item: { type: 'reasoning', id: 'rs_1', summary: ['Thinking'], content: [] } })
    expect(items().map((e) => [e.nativeItemId, e.status, e.content])).toEqual([
      ['rs_1', 'running', { type: 'reasoning', text: '' }],
      ['rs_1', 'completed', { type: 'reasoning', text: 'Thinking' }],
    ])
    expect(deltas).toEqual(['Thinking'])
  })

  it('should turn an unknown notification and an unknown item type into visible generic items', () => {
    const { events, send, items } = fresh()
    send('thread/brandNew/thing', { threadId: 't', turnId: 'u', detail: 42 })
    send('item/completed', { threadId: 't', turnId: 'u', item: { type: 'hologram', id: 'h1', shape: 'cube' } })
    send('turn/completed', { threadId: 't', turn: { id: 'u', status: 'completed', error: null } })
    expect(items().map((e) => e.content)).toEqual([
      { type: 'generic', nativeType: 'thread/brandNew/thing', summary: '{"threadId":"t","turnId":"u","detail":42}' },
      { type: 'generic', nativeType: 'hologram', summary: '{"shape":"cube"}' },
    ])
    expect(events.at(-1)).toMatchObject({ type: 'turn.completed', status: 'completed' })
  })

  it('should ignore thread state notifications', () => {
    const { events, send } = fresh()
    send('thread/status/changed', { threadId: 't', status: { type: 'idle' } })
    send('account/rateLimits/updated', { rateLimits: {} })
    send('turn/diff/updated', { threadId: 't', turnId: 'u', diff: 'diff --git' })
    expect(events.filter((e) => e.type !== 'turn.started')).toEqual([])
  })

  it('should show Codex retries as one updated error item, and keep the final error for the terminal', () => {
    const { events, send, items } = fresh()
    for (const n of [1, 2]) send('error', { threadId: 't', turnId: 'u', willRetry: true, error: { message: `Reconnecting... ${n}/5`, codexErrorInfo: null, additionalDetails: null } })
    send('error', { threadId: 't', turnId: 'u', willRetry: false, error: { message: 'usage limit reached', codexErrorInfo: 'usageLimitExceeded', additionalDetails: null } })
    send('turn/completed', { threadId: 't', turn: { id: 'u', status: 'failed', error: null } })
    expect(items().map((e) => [e.nativeItemId, e.status])).toEqual([
      ['retry:u', 'running'],
      ['retry:u', 'running'],
      ['retry:u', 'failed'],
    ])
    expect(events.at(-1)).toMatchObject({ type: 'turn.completed', status: 'failed', failure: { class: 'rate_limited', retryable: true, message: 'usage limit reached' } })
  })

  it('should ignore the terminal of another root turn and of an unknown thread', () => {
    const { events, send } = fresh()
    send('turn/completed', { threadId: 't', turn: { id: 'other', status: 'completed', error: null } })
    send('turn/completed', { threadId: 'stranger', turn: { id: 'u', status: 'completed', error: null } })
    expect(events.filter((e) => e.type === 'turn.completed')).toEqual([])
  })

  it('should fail the run, its open items and requests when the transport is lost', () => {
    const { mapper, events, send } = fresh()
    send('item/started', { threadId: 't', turnId: 'u', item: { type: 'agentMessage', id: 'm1', text: '' } })
    send('item/agentMessage/delta', { threadId: 't', turnId: 'u', itemId: 'm1', delta: 'partial' })
    mapper.transportLost({ class: 'transport_error', message: 'gone', code: 'codex.process_exited', retryable: true })
    expect(events.slice(-2)).toEqual([
      { type: 'item.updated', runId: 'run:1', nativeItemId: 'm1', parentNativeItemId: null, status: 'failed', content: { type: 'assistant_message', text: 'partial' } },
      expect.objectContaining({ type: 'turn.completed', status: 'failed', failure: expect.objectContaining({ class: 'transport_error' }) }),
    ])
    expect(mapper.active).toBeNull()
  })

  it('should keep per-run usage from the thread totals, dropping repeats', () => {
    const { events, send } = fresh()
    const usage = (total: number, last: number) => ({ totalTokens: total, inputTokens: total, cachedInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 0, reasoningOutputTokens: 0, ...{ last } })
    const update = (total: number, last: number) =>
      send('thread/tokenUsage/updated', { threadId: 't', turnId: 'u', tokenUsage: { total: usage(total, last), last: usage(last, last), modelContextWindow: null } })
    update(1100, 100)
    update(1100, 100)
    update(1250, 150)
    expect(events.filter((e) => e.type === 'usage.updated').map((e) => e.type === 'usage.updated' && e.usage.totalTokens)).toEqual([100, 250])
  })
})
