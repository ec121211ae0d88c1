/** @module ThreadItem → canonical item content and status. */
import { describe, expect, it } from 'vitest'
import { mapThreadItem, type AnyThreadItem } from './items.ts'

const item = (value: Record<string, unknown>) => value as unknown as AnyThreadItem

describe('mapThreadItem', () => {
  it('should skip user messages and map agent messages by phase', () => {
    expect(mapThreadItem(item({ type: 'userMessage', id: 'u', content: [] }), 'completed')).toBeNull()
    expect(mapThreadItem(item({ type: 'agentMessage', id: 'm', text: '' }), 'started')).toEqual({ status: 'running', content: { type: 'assistant_message', text: '' } })
    expect(mapThreadItem(item({ type: 'agentMessage', id: 'm', text: 'hi' }), 'completed')).toEqual({ status: 'completed', content: { type: 'assistant_message', text: 'hi' } })
  })

  it.each([
    ['inProgress', 'running'],
    ['completed', 'completed'],
    ['failed', 'failed'],
    ['declined', 'cancelled'],
  ])('should map command status %s to %s', (status, expected) => {
    const mapped = mapThreadItem(item({ type: 'commandExecution', id: 'c', command: 'ls', cwd: '/w', status, aggregatedOutput: status === 'completed' ? 'a\n' : null, exitCode: status === 'completed' ? 0 : null }), 'completed')
    expect(mapped?.status).toBe(expected)
    expect(mapped?.content).toMatchObject({ type: 'command_execution', command: 'ls', cwd: '/w' })
  })

  it('should count the lines of file changes and turn a move into a rename', () => {
    const mapped = mapThreadItem(
      item({
        type: 'fileChange', id: 'f', status: 'completed',
        changes: [
          { path: '/w/new.txt', kind: { type: 'add' }, diff: 'one\ntwo\n' },
          { path: '/w/old.txt', kind: { type: 'delete' }, diff: 'gone\n' },
          { path: '/w/a.ts', kind: { type: 'update', move_path: null }, diff: '--- a/a.ts\n+++ b/a.ts\n@@ -1 +1,2 @@\n-x\n+y\n+z\n' },
          { path: '/w/b.ts', kind: { type: 'update', move_path: '/w/c.ts' }, diff: '' },
        ],
      }),
      'completed',
    )
    expect(mapped?.content.type === 'file_change' && mapped.content.changes.map(({ diff: _d, ...c }) => c)).toEqual([
      { path: '/w/new.txt', kind: 'add', additions: 2, deletions: 0 },
      { path: '/w/old.txt', kind: 'delete', additions: 0, deletions: 1 },
      { path: '/w/a.ts', kind: 'update', additions: 2, deletions: 1 },
      { path: '/w/c.ts', kind: 'rename', additions: 0, deletions: 0 },
    ])
  })

  it('should map MCP, dynamic and collab tool calls to dynamic tool items', () => {
    expect(mapThreadItem(item({ type: 'mcpToolCall', id: 'x', server: 'fs', tool: 'read', status: 'completed', arguments: { p: 1 }, result: { content: [{ type: 'text', text: 'ok' }], structuredContent: null, _meta: null }, error: null }), 'completed')).toEqual({
      status: 'completed',
      content: { type: 'dynamic_tool', toolName: 'mcp:fs/read', input: '{"p":1}', output: 'ok' },
    })
    expect(mapThreadItem(item({ type: 'mcpToolCall', id: 'x', server: 'fs', tool: 'read', status: 'failed', arguments: {}, result: null, error: { message: 'denied' } }), 'completed')?.content).toMatchObject({ output: 'denied' })
    expect(mapThreadItem(item({ type: 'collabAgentToolCall', id: 'c', tool: 'spawnAgent', status: 'inProgress', senderThreadId: 't', receiverThreadIds: [], prompt: 'go', model: null, agentsStates: {} }), 'started')).toEqual({
      status: 'running',
      content: { type: 'dynamic_tool', toolName: 'collab:spawnAgent', input: 'go', output: null },
    })
  })

  it('should map web search queries and visited pages', () => {
    expect(mapThreadItem(item({ type: 'webSearch', id: 'w', query: 'q', action: { type: 'openPage', url: 'https://x' }, results: null }), 'completed')?.content).toEqual({
      type: 'web_search', queries: ['q'], results: [{ title: null, url: 'https://x' }],
    })
  })

  it('should use the reasoning summary, else its content', () => {
    expect(mapThreadItem(item({ type: 'reasoning', id: 'r', summary: ['a', 'b'], content: ['raw'] }), 'completed')?.content).toEqual({ type: 'reasoning', text: 'a\n\nb' })
    expect(mapThreadItem(item({ type: 'reasoning', id: 'r', summary: [], content: ['raw'] }), 'completed')?.content).toEqual({ type: 'reasoning', text: 'raw' })
  })

  it('should show types without canonical content as generic, and leave sub-agent activity to subagent events', () => {
    expect(mapThreadItem(item({ type: 'contextCompaction', id: 'k' }), 'completed')).toEqual({ status: 'completed', content: { type: 'generic', nativeType: 'contextCompaction', summary: '{}' } })
    expect(mapThreadItem(item({ type: 'imageView', id: 'i', path: '/w/p.png', startedAtMs: 1 }), 'started')).toEqual({ status: 'running', content: { type: 'generic', nativeType: 'imageView', summary: '{"path":"/w/p.png"}' } })
    expect(mapThreadItem(item({ type: 'subAgentActivity', id: 's', kind: 'started', agentThreadId: 'c', agentPath: '/a' }), 'completed')).toBeNull()
  })
})
