/** @module The selected thread lives in the URL (`/t/<threadId>`), so a reload or a link keeps it. */
import { useEffect, useState } from 'preact/hooks'

const threadOf = (path: string): string | null => {
  const match = /^\/t\/([^/]+)$/.exec(path)
  if (!match?.[1]) return null
  try {
    return decodeURIComponent(match[1])
  } catch {
    // A hand-typed `/t/%zz` is no thread, not a reason for the page to crash.
    return null
  }
}

export const navigate = (threadId: string | null) => {
  history.pushState(null, '', threadId ? `/t/${encodeURIComponent(threadId)}` : '/')
  dispatchEvent(new PopStateEvent('popstate'))
}

export const useSelectedThread = (): string | null => {
  const [threadId, setThreadId] = useState(() => threadOf(location.pathname))
  useEffect(() => {
    const update = () => setThreadId(threadOf(location.pathname))
    addEventListener('popstate', update)
    return () => removeEventListener('popstate', update)
  }, [])
  return threadId
}
