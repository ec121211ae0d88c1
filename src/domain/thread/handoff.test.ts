/** @module The handoff renderer: what it carries, what it leaves out, and how it stays within bounds. */
import { describe, expect, it } from 'vitest'
import type { HandoffEntry, TurnItem, TurnItemContent } from '../../contracts/index.ts'
import { DEFAULT_HANDOFF_CHARS, MAX_ENTRY_CHARS, entriesOf, renderHandoff } from './handoff.ts'

let ordinal = 0
const item = (content: TurnItemContent, status: TurnItem['status'] = 'completed', runId: string | null = 'run-1'): TurnItem =>
  ({
    id: `item-${++ordinal}`,
    threadId: 't',
    runId,
    nodeId: null,
    providerThreadId: null,
    parentItemId: null,
    ordinal,
    status,
    visibility: 'local',
    sourceThreadId: null,
    startedAt: 1,
    completedAt: 1,
    updatedAt: 1,
    content,
  }) as TurnItem

const user = (text: string): HandoffEntry => ({ runOrdinal: 1, kind: 'user', text })

describe('entriesOf', () => {
  it('should carry the conversation and its work, never reasoning, markers or rolled-back items', () => {
    const items = [
      item({ type: 'user_message', messageId: 'm1' as never, inputIntent: 'turn_start', text: 'fix the bug', attachmentCount: 1 }),
      item({ type: 'reasoning', text: 'secret thoughts', streaming: false }),
      item({ type: 'command_execution', command: 'npm test', cwd: null, output: 'ok', exitCode: 0 }),
      item({ type: 'file_change', changes: [{ path: 'src/a.ts', kind: 'update', additions: 1, deletions: 1, diff: null }] }),
      item({ type: 'assistant_message', messageId: 'm2' as never, text: 'fixed it', streaming: false }),
      item({ type: 'assistant_message', messageId: 'm3' as never, text: 'undone', streaming: false }, 'rolled_back'),
      item({ type: 'fork', transferId: 'x' as never, sourceThreadId: 'a' as never, targetThreadId: 'b' as never }),
    ]
    expect(entriesOf(items.reverse(), (runId) => (runId === 'run-1' ? 1 : null))).toEqual([
      { runOrdinal: 1, kind: 'user', text: 'fix the bug [1 image(s) attached]' },
      { runOrdinal: 1, kind: 'command', text: '`npm test` (exit 0)' },
      { runOrdinal: 1, kind: 'files', text: 'src/a.ts (update)' },
      { runOrdinal: 1, kind: 'assistant', text: 'fixed it' },
    ])
  })
})

describe('renderHandoff', () => {
  const base = { strategy: 'full_thread_summary', fromProviders: ['codex'], toProvider: 'claude' } as const

  it('should render every entry in order when it fits, the same text every time', () => {
    const input = { ...base, entries: [user('first'), { runOrdinal: 1, kind: 'assistant', text: 'line one\nline two' } as const], maxChars: null }
    const rendered = renderHandoff(input)
    expect(rendered).toEqual(renderHandoff(input))
    expect(rendered.omitted).toBe(0)
    expect(rendered.text).toBe(
      [
        'Context handoff (full_thread_summary, for claude).',
        'This conversation began before you joined it (with codex). Here is what happened so far:',
        '- User: first',
        '- Assistant: line one',
        '  line two',
        "End of context. The user's new message follows.",
      ].join('\n'),
    )
  })

  it.each([
    ['delta_since_target_last_seen', /Since your last turn, this conversation went on with codex/],
    ['fork_delta_summary', /A forked conversation \(thread-9\) was merged back/],
  ] as const)('should say what %s carries', (strategy, intro) =>
    expect(renderHandoff({ ...base, strategy, sourceThreadId: 'thread-9', entries: [user('x')], maxChars: null }).text).toMatch(intro))

  it('should keep the newest entries within the bound and say how many older ones were cut', () => {
    const entries = Array.from({ length: 50 }, (_, i) => user(`message number ${i} ${'x'.repeat(40)}`))
    const rendered = renderHandoff({ ...base, entries, maxChars: 1_000 })
    expect(rendered.text.length).toBeLessThanOrEqual(1_000)
    expect(rendered.omitted).toBeGreaterThan(0)
    expect(rendered.text).toContain(`- (${rendered.omitted} earlier entries were left out to stay within 1000 characters)`)
    expect(rendered.text).toContain('message number 49 ')
    expect(rendered.text).not.toContain('message number 0 ')
    // Exactly the newest 50 - omitted entries are there.
    const kept = rendered.text.split('\n').filter((l) => l.startsWith('- User: '))
    expect(kept).toHaveLength(50 - rendered.omitted)
    expect(kept[0]).toContain(`message number ${rendered.omitted} `)
  })

  it('should keep the start of a newest entry that alone is over the bound', () => {
    const rendered = renderHandoff({ ...base, entries: [user('old'), user(`${'y'.repeat(3_000)}`)], maxChars: 800 })
    expect(rendered.text.length).toBeLessThanOrEqual(800)
    expect(rendered.omitted).toBe(1)
    expect(rendered.text).toMatch(/- User: y+ \[\.\.\. \d+ more characters cut\]/)
    expect(rendered.text).toContain('1 earlier entry was left out')
  })

  it('should cap one entry at MAX_ENTRY_CHARS and use the default bound when the provider declares none', () => {
    const rendered = renderHandoff({ ...base, entries: [user('z'.repeat(MAX_ENTRY_CHARS * 2))], maxChars: null })
    expect(rendered.omitted).toBe(0)
    expect(rendered.text.length).toBeLessThan(MAX_ENTRY_CHARS + 400)
    const [, kept, cut] = /- User: (z+) \[\.\.\. (\d+) more characters cut\]/.exec(rendered.text) ?? []
    // What is kept and what the note says was cut add up to the whole entry.
    expect((kept?.length ?? 0) + Number(cut)).toBe(MAX_ENTRY_CHARS * 2)
    expect(`- User: ${kept} [... ${cut} more characters cut]`.length - '- User: '.length).toBe(MAX_ENTRY_CHARS)
    expect(DEFAULT_HANDOFF_CHARS).toBeGreaterThan(MAX_ENTRY_CHARS)
  })
})
