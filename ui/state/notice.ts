/** @module Which changes of a thread's summary are worth telling a user who is looking elsewhere. */
import type { ThreadShell } from '../../src/contracts/index.ts'

const ACTIVE = new Set(['queued', 'running', 'waiting_for_approval'])

/** What a shell change is worth telling the user about, if anything. */
export const noticeFor = (before: ThreadShell | undefined, after: ThreadShell): string | null => {
  if (!before) return null
  if (after.status === 'waiting_for_approval' && before.status !== 'waiting_for_approval') return `${after.title}: needs approval`
  if (ACTIVE.has(before.status) && !ACTIVE.has(after.status)) {
    return after.status === 'failed' ? `${after.title}: run failed` : `${after.title}: run finished`
  }
  return null
}
