/**
 * @module The SDK message mapping as a pure function: recorded upstream transcripts (read in
 * place from ../shared, skipped when absent) and hand-made stream frames go in, runtime
 * events and deltas come out.
 */
import { describe, expect, it } from 'vitest'
import type { RunId, RuntimeEvent } from '../../src/contracts/index.ts'
import { MessageMapper, type Emission } from './message-mapper.ts'
import { claudeTranscript, inboundFrames } from './testing.ts'

const RUN = 'run-1' as RunId

const events = (out: Emission[]): RuntimeEvent[] => out.flatMap((e) => (e.kind === 'event' ? [e.event] : []))

function mapAll(frames: unknown[], mapper = new MessageMapper(RUN, '/work')): { out: Emission[]; mapper: MessageMapper } {
  const out = frames.flatMap((f) => mapper.map(f))
  return { out, mapper }
}

const items = (out: Emission[]) => events(out).filter((e): e is Extract<RuntimeEvent, { type: 'item.updated' }> => e.type === 'item.updated')
const lastOf = (out: Emission[], id: string) => items(out).filter((e) => e.nativeItemId === id).at(-1)

const recorded = (scenario: string) => inboundFrames(claudeTranscript(scenario))

describe('recorded transcripts (../shared/upstream-fixtures)', () => {
  it('simple: one completed assistant message; its uuid is the head', () => {
    const frames = recorded('simple') ?? []
    const { out, mapper } = mapAll(frames)
    const assistant = frames.find((f) => f.type === 'assistant')
    expect(items(out)).toEqual([
      {
        type: 'item.updated',
        runId: RUN,
        nativeItemId: `${(assistant?.message as { id: string }).id}:0`,
        parentNativeItemId: null,
        status: 'completed',
        content: { type: 'assistant_message', text: 'fixture simple ok' },
      },
    ])
    expect(mapper.head).toBe(assistant?.uuid)
  })

  it('subagent: task_* become subagents under their Agent calls; a child never ends anything', () => {
    const frames = recorded('subagent') ?? []
    const { out } = mapAll(frames)
    const subs = events(out).filter((e): e is Extract<RuntimeEvent, { type: 'subagent.updated' }> => e.type === 'subagent.updated')
    const byTask = new Map<string, string[]>()
    for (const s of subs) byTask.set(s.nativeTaskId, [...(byTask.get(s.nativeTaskId) ?? []), s.status])
    expect([...byTask.values()]).toEqual([
      ['running', 'completed'],
      ['running', 'completed'],
    ])
    const agentCalls = items(out).filter((e) => e.content.type === 'dynamic_tool' && e.content.toolName === 'Agent')
    const agentIds = new Set(agentCalls.map((e) => e.nativeItemId))
    expect(agentIds.size).toBe(2)
    expect(subs.every((s) => s.parentNativeItemId !== null && agentIds.has(s.parentNativeItemId))).toBe(true)
    expect(subs.find((s) => s.status === 'completed')?.result).toMatch(/^Read /)
    const reads = items(out).filter((e) => e.content.type === 'dynamic_tool' && e.content.toolName === 'Read')
    expect(reads.length).toBeGreaterThan(0)
    expect(reads.every((r) => r.parentNativeItemId !== null && agentIds.has(r.parentNativeItemId))).toBe(true)
    for (const id of agentIds) expect(lastOf(out, id)?.status).toBe('completed')
    expect(events(out).some((e) => e.type === 'turn.completed')).toBe(false)
    const texts = items(out).filter((e) => e.content.type === 'assistant_message')
    expect(texts.map((t) => t.parentNativeItemId)).toEqual(texts.map(() => null))
  })

  it('tool_call_read_only_on_request: Bash is a command execution completed by its tool_result', () => {
    const { out } = mapAll(recorded('tool_call_read_only_on_request') ?? [])
    const bash = items(out).filter((e) => e.content.type === 'command_execution')
    expect(bash.map((b) => b.status)).toEqual(['running', 'completed'])
    expect(bash[1]?.content).toMatchObject({ command: expect.stringContaining('printf'), output: '', exitCode: 0 })
  })

  it('web_search: WebSearch is a web search with its query and links; ToolSearch stays a dynamic tool', () => {
    const { out } = mapAll(recorded('web_search') ?? [])
    const search = items(out).filter((e) => e.content.type === 'web_search').at(-1)
    expect(search?.status).toBe('completed')
    expect(search?.content.type === 'web_search' && search.content.queries[0]).toMatch(/FIFA/)
    expect(search?.content.type === 'web_search' && search.content.results.length).toBeGreaterThan(0)
    expect(items(out).some((e) => e.content.type === 'dynamic_tool' && e.content.toolName === 'ToolSearch')).toBe(true)
    expect(items(out).some((e) => e.content.type === 'reasoning')).toBe(true)
  })

  it('claude_local_bash_task: a background shell task is not a subagent', () => {
    const { out } = mapAll(recorded('claude_local_bash_task') ?? [])
    expect(events(out).filter((e) => e.type === 'subagent.updated')).toEqual([])
    expect(items(out).filter((e) => e.content.type === 'command_execution').at(-1)?.status).toBe('completed')
  })

  it('every recorded Claude transcript maps without throwing and never emits a terminal', () => {
    for (const scenario of ['multi_turn', 'queued_turn', 'message_steering', 'turn_interrupt', 'turn_interrupt_mid_tool', 'thread_rollback', 'tool_call_workspace_never', 'subagent', 'claude_provider_wakeup']) {
      const frames = recorded(scenario) ?? []
      const { out } = mapAll(frames.filter((f) => f.type !== 'permission.request'))
      expect(events(out).every((e) => e.type === 'item.updated' || e.type === 'subagent.updated'), scenario).toBe(true)
    }
  })
})

const stream = (event: Record<string, unknown>, parent: string | null = null) => ({ type: 'stream_event', event, parent_tool_use_id: parent, session_id: 's', uuid: 'u' })
const assistant = (uuid: string, msgId: string, content: unknown[], extra: Record<string, unknown> = {}) => ({
  type: 'assistant',
  uuid,
  parent_tool_use_id: null,
  session_id: 's',
  message: { id: msgId, role: 'assistant', content },
  ...extra,
})

describe('streamed messages', () => {
  it('streams each text segment as its own item, completed by its assistant message', () => {
    const { out, mapper } = mapAll([
      stream({ type: 'message_start', message: { id: 'm1' } }),
      stream({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } }),
      stream({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'hmm' } }),
      assistant('a0', 'm1', [{ type: 'thinking', thinking: 'hmm' }]),
      stream({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }),
      stream({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'first ' } }),
      stream({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'part' } }),
      assistant('a1', 'm1', [{ type: 'text', text: 'first part' }]),
      stream({ type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 't1', name: 'Bash', input: {} } }),
      assistant('a2', 'm1', [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } }]),
      { type: 'user', parent_tool_use_id: null, message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'a\nb', is_error: false }] }, tool_use_result: { stdout: 'a\nb', stderr: '' } },
      stream({ type: 'message_start', message: { id: 'm2' } }),
      stream({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      stream({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'second' } }),
      assistant('a3', 'm2', [{ type: 'text', text: 'second' }]),
    ])
    expect(out.filter((e) => e.kind === 'delta')).toEqual([
      { kind: 'delta', itemId: 'm1:0', text: 'hmm' },
      { kind: 'delta', itemId: 'm1:1', text: 'first ' },
      { kind: 'delta', itemId: 'm1:1', text: 'part' },
      { kind: 'delta', itemId: 'm2:0', text: 'second' },
    ])
    expect(items(out).map((e) => [e.nativeItemId, e.status, e.content.type])).toEqual([
      ['m1:0', 'running', 'reasoning'],
      ['m1:0', 'completed', 'reasoning'],
      ['m1:1', 'running', 'assistant_message'],
      ['m1:1', 'completed', 'assistant_message'],
      ['t1', 'running', 'command_execution'],
      ['t1', 'completed', 'command_execution'],
      ['m2:0', 'running', 'assistant_message'],
      ['m2:0', 'completed', 'assistant_message'],
    ])
    expect(lastOf(out, 't1')?.content).toEqual({ type: 'command_execution', command: 'ls', cwd: '/work', output: 'a\nb', exitCode: 0 })
    expect(mapper.head).toBe('a3')
  })

  it('ignores subagent stream events and subagent text, and keeps the head on the main chain', () => {
    const { out, mapper } = mapAll([
      stream({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'agent-1'),
      { ...assistant('sub', 'ms', [{ type: 'text', text: 'inner' }]), parent_tool_use_id: 'agent-1' },
    ])
    expect(out).toEqual([])
    expect(mapper.head).toBeNull()
  })

  it('keeps an API error out of the conversation and remembers it for the failure', () => {
    const { out, mapper } = mapAll([assistant('e1', 'syn', [{ type: 'text', text: 'API Error: 500 boom' }], { error: 'server_error' })])
    expect(out).toEqual([])
    expect(mapper.apiError).toEqual({ text: 'API Error: 500 boom', kind: 'server_error' })
  })

  it('finishes what is still open when a turn is interrupted', () => {
    const mapper = new MessageMapper(RUN, null)
    mapAll(
      [
        stream({ type: 'message_start', message: { id: 'm1' } }),
        assistant('a1', 'm1', [{ type: 'tool_use', id: 't1', name: 'Write', input: { file_path: '/w/f.txt', content: 'x' } }]),
        stream({ type: 'message_start', message: { id: 'm2' } }),
        stream({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
        stream({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'par' } }),
      ],
      mapper,
    )
    expect(items(mapper.finish('interrupted')).map((e) => [e.nativeItemId, e.status, e.content])).toEqual([
      ['m2:0', 'interrupted', { type: 'assistant_message', text: 'par' }],
      ['t1', 'interrupted', { type: 'file_change', changes: [{ path: '/w/f.txt', kind: 'add', additions: null, deletions: null, diff: null }] }],
    ])
    expect(mapper.finish('interrupted')).toEqual([])
  })

  it('marks a refused tool call cancelled and completes a Write with its diff stats', () => {
    const mapper = new MessageMapper(RUN, null)
    mapper.markDenied('t2')
    const { out } = mapAll(
      [
        assistant('a1', 'm1', [
          { type: 'tool_use', id: 't1', name: 'Write', input: { file_path: '/w/a.txt', content: 'one\ntwo\n' } },
          { type: 'tool_use', id: 't2', name: 'Edit', input: { file_path: '/w/b.txt', old_string: 'a', new_string: 'b' } },
        ]),
        { type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] }, tool_use_result: { type: 'create', filePath: '/w/a.txt', content: 'one\ntwo\n', structuredPatch: [] } },
        { type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 't2', content: 'declined', is_error: true }] } },
      ],
      mapper,
    )
    expect(lastOf(out, 't1')).toMatchObject({ status: 'completed', content: { changes: [{ path: '/w/a.txt', kind: 'add', additions: 2, deletions: 0, diff: '+one\n+two' }] } })
    expect(lastOf(out, 't2')).toMatchObject({ status: 'cancelled', content: { changes: [{ path: '/w/b.txt', kind: 'update' }] } })
  })
})
