/** @module The page: sign-in, or the thread list beside the selected thread. */
import { useMemo, useState } from 'preact/hooks'
import { createLoomClient } from '../src/client/index.ts'
import { clearSession, restoreSession, saveSession, type Session } from './session.ts'
import { SignIn } from './components/sign-in.tsx'
import { ThreadList } from './components/thread-list.tsx'
import { ThreadPage } from './components/thread-page.tsx'
import { NewThread } from './components/new-thread.tsx'
import { ConnectionBadge } from './components/connection-badge.tsx'
import { NotificationToggle } from './components/notification-toggle.tsx'
import { useShell } from './state/use-shell.ts'
import { notifyShellChange } from './state/notifications.ts'
import { navigate, useSelectedThread } from './route.ts'

export const App = () => {
  const [session, setSession] = useState<Session | null>(() => restoreSession())
  if (!session) {
    return (
      <SignIn
        onSession={(s) => {
          saveSession(s)
          setSession(s)
        }}
      />
    )
  }
  return (
    <Workspace
      session={session}
      onSignOut={() => {
        clearSession()
        setSession(null)
      }}
    />
  )
}

const Workspace = ({ session, onSignOut }: { session: Session; onSignOut: () => void }) => {
  const client = useMemo(() => createLoomClient({ baseUrl: location.origin, token: session.token }), [session.token])
  const shell = useShell(client, session.workspaceId, notifyShellChange)
  const selected = useSelectedThread()
  const [creating, setCreating] = useState(false)
  return (
    <div class="layout">
      <aside class="sidebar">
        <header class="brand">
          <strong>Loom</strong>
          <span class="muted" title="workspace">
            {session.workspaceId}
          </span>
          <ConnectionBadge client={client} />
        </header>
        <button class="primary" data-testid="new-thread" onClick={() => setCreating(true)}>
          New thread
        </button>
        <ThreadList view={shell} selected={selected} />
        <footer class="sidebar-footer">
          <NotificationToggle />
          <button class="link" onClick={onSignOut}>
            Sign out
          </button>
        </footer>
      </aside>
      <main class="main">
        {creating ? (
          <NewThread
            client={client}
            workspaceId={session.workspaceId}
            onDone={(threadId) => {
              setCreating(false)
              if (threadId) navigate(threadId)
            }}
          />
        ) : selected ? (
          <ThreadPage key={selected} client={client} threadId={selected} workspaceId={session.workspaceId} />
        ) : (
          <div class="empty">Choose a thread, or start a new one.</div>
        )}
      </main>
    </div>
  )
}
