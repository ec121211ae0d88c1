/** The UI's background notifications: which shell changes are worth a notification. */
import { describe, expect, it } from 'vitest'
import type { ThreadShell } from '../../src/contracts/index.ts'
import { noticeFor } from '../../ui/state/notice.ts'

const shell = (status: ThreadShell['status']): ThreadShell =>
  ({ id: 't-1', title: 'Fix the build', status }) as ThreadShell

describe('noticeFor', () => {
  it('should tell when a thread starts waiting for an approval, once', () => {
    expect(noticeFor(shell('running'), shell('waiting_for_approval'))).toBe('Fix the build: needs approval')
    expect(noticeFor(shell('waiting_for_approval'), shell('waiting_for_approval'))).toBeNull()
  })

  it('should tell when a run finishes or fails, not while it goes on', () => {
    expect(noticeFor(shell('running'), shell('idle'))).toBe('Fix the build: run finished')
    expect(noticeFor(shell('waiting_for_approval'), shell('interrupted'))).toBe('Fix the build: run finished')
    expect(noticeFor(shell('running'), shell('failed'))).toBe('Fix the build: run failed')
    expect(noticeFor(shell('queued'), shell('running'))).toBeNull()
    expect(noticeFor(shell('idle'), shell('idle'))).toBeNull()
  })

  it('should say nothing about a thread seen for the first time', () => {
    expect(noticeFor(undefined, shell('failed'))).toBeNull()
  })
})
