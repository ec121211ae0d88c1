/** @module The workspace's threads, live: status, provider, last message, time. */
import type { ShellView } from '../state/use-shell.ts'
import { STATUS_LABEL, timeAgo } from '../format.ts'
import { navigate } from '../route.ts'

export const ThreadList = ({ view, selected }: { view: ShellView; selected: string | null }) => {
  if (view.error) return <p class="error">{view.error}</p>
  if (!view.loaded) return <p class="muted">Loading threads…</p>
  if (view.threads.length === 0) return <p class="muted">No threads yet.</p>
  return (
    <ul class="thread-list" data-testid="thread-list">
      {view.threads.map((thread) => (
        <li key={thread.id}>
          <a
            href={`/t/${encodeURIComponent(thread.id)}`}
            class={thread.id === selected ? 'selected' : ''}
            data-testid="thread-link"
            data-thread-id={thread.id}
            onClick={(e) => {
              e.preventDefault()
              navigate(thread.id)
            }}
          >
            <span class="row">
              <span class="title">{thread.parentThreadId ? '⑂ ' : ''}{thread.title}</span>
              <span class={`status status-${thread.status}`} data-testid="thread-status">
                {STATUS_LABEL[thread.status] ?? thread.status}
              </span>
            </span>
            <span class="row muted small">
              <span>
                {thread.provider} · {thread.modelSelection.model}
              </span>
              <span>{timeAgo(thread.updatedAt)}</span>
            </span>
            {thread.lastMessage && <span class="last-message small">{thread.lastMessage.text.slice(0, 140)}</span>}
            {thread.statusReason && <span class="muted small">{thread.statusReason}</span>}
          </a>
        </li>
      ))}
    </ul>
  )
}
