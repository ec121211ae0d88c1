/** @module Small display helpers. */
export const timeAgo = (at: number, now = Date.now()): string => {
  const seconds = Math.max(0, Math.round((now - at) / 1000))
  if (seconds < 60) return `${seconds}s ago`
  if (seconds < 3600) return `${Math.round(seconds / 60)}m ago`
  if (seconds < 86_400) return `${Math.round(seconds / 3600)}h ago`
  return new Date(at).toLocaleDateString()
}

export const STATUS_LABEL: Record<string, string> = {
  idle: 'idle',
  queued: 'queued',
  running: 'running',
  waiting_for_approval: 'waiting for approval',
  failed: 'failed',
  interrupted: 'stopped',
}

export const count = (n: number) => n.toLocaleString('en-US')
