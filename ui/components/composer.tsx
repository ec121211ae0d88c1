/**
 * @module Writing to the agent. With a run active the message can wait its turn (queue), go
 * into the running turn (steer) or replace it (restart).
 */
import { useState } from 'preact/hooks'
import type { LoomClient } from '../../src/client/index.ts'
import type { DispatchMode, Run } from '../../src/contracts/index.ts'
import type { Act } from './thread-page.tsx'

type Mode = 'queue' | 'steer' | 'restart'

const dispatchMode = (mode: Mode, active: Run | null): DispatchMode => {
  if (!active) return { type: 'start_immediately' }
  if (mode === 'steer') return { type: 'steer_active', targetRunId: active.id }
  if (mode === 'restart') return { type: 'restart_active', targetRunId: active.id }
  return { type: 'queue_after_active' }
}

export const Composer = ({ client, threadId, activeRun, act }: { client: LoomClient; threadId: string; activeRun: Run | null; act: Act }) => {
  const [text, setText] = useState('')
  const [mode, setMode] = useState<Mode>('queue')
  const [sending, setSending] = useState(false)
  const send = async () => {
    if (!text.trim() || sending) return
    setSending(true)
    const sent = await act('Send', () => client.sendMessage(threadId, text, { dispatchMode: dispatchMode(mode, activeRun) }))
    setSending(false)
    if (sent) setText('')
  }
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault()
        void send()
      }}
    >
      <textarea
        data-testid="composer"
        rows={3}
        placeholder={activeRun ? 'The agent is working; your message can wait, steer or restart it' : 'Message the agent (Ctrl+Enter to send)'}
        value={text}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send()
        }}
      />
      <div class="actions">
        {activeRun && (
          <select data-testid="dispatch-mode" value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value as Mode)}>
            <option value="queue">Queue after this run</option>
            <option value="steer">Steer the running turn</option>
            <option value="restart">Restart with this message</option>
          </select>
        )}
        <button class="primary" type="submit" data-testid="send" disabled={sending || !text.trim()}>
          {activeRun ? (mode === 'queue' ? 'Queue' : mode === 'steer' ? 'Steer' : 'Restart') : 'Send'}
        </button>
      </div>
    </form>
  )
}
