/**
 * @module Browser notifications for "needs approval" and "run finished", only while the tab is
 * in the background and only once the user allowed them.
 */
import type { ThreadShell } from '../../src/contracts/index.ts'

const ACTIVE = new Set(['queued', 'running', 'waiting_for_approval'])

export const notificationsSupported = () => typeof Notification !== 'undefined'

/** What a shell change is worth telling the user about, if anything. */
export const noticeFor = (before: ThreadShell | undefined, after: ThreadShell): string | null => {
  if (!before) return null
  if (after.status === 'waiting_for_approval' && before.status !== 'waiting_for_approval') return `${after.title}: needs approval`
  if (ACTIVE.has(before.status) && !ACTIVE.has(after.status)) {
    return after.status === 'failed' ? `${after.title}: run failed` : `${after.title}: run finished`
  }
  return null
}

export const notifyShellChange = (before: ThreadShell | undefined, after: ThreadShell) => {
  if (!notificationsSupported() || Notification.permission !== 'granted' || document.visibilityState === 'visible') return
  const text = noticeFor(before, after)
  if (text) new Notification('Loom', { body: text, tag: `loom-${after.id}` })
}
