/**
 * @module Browser notifications for "needs approval" and "run finished", only while the tab is
 * in the background and only once the user allowed them.
 */
import type { ThreadShell } from '../../src/contracts/index.ts'
import { noticeFor } from './notice.ts'

export const notificationsSupported = () => typeof Notification !== 'undefined'

export const notifyShellChange = (before: ThreadShell | undefined, after: ThreadShell) => {
  if (!notificationsSupported() || Notification.permission !== 'granted' || document.visibilityState === 'visible') return
  const text = noticeFor(before, after)
  if (text) new Notification('Loom', { body: text, tag: `loom-${after.id}` })
}
