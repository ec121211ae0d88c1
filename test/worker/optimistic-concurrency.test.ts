import { describe, expect, it } from 'vitest'
import { api, createThread, dispatch, projection, token, uniqueId } from './helpers.ts'
import { writtenRows } from './storage-helpers.ts'

const rename = (threadId: string, title: string, extra: Record<string, unknown> = {}) => ({ type: 'thread.metadata.update', threadId, title, ...extra })

describe('expectedSequence', () => {
  it('should accept a command whose expectedSequence is the thread sequence', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    await dispatch(tok, rename(threadId, 'Second'))
    const result = await dispatch(tok, rename(threadId, 'Third', { expectedSequence: 2 }))
    expect(result).toEqual({ status: 200, body: { sequence: 3 } })
    expect((await projection(tok, threadId)).thread.title).toBe('Third')
  })

  it.each([
    { expectedSequence: 0, label: 'behind' },
    { expectedSequence: 1, label: 'one behind' },
    { expectedSequence: 3, label: 'ahead' },
  ])('should refuse an expectedSequence $label with 409 sequence_conflict and write nothing', async ({ expectedSequence }) => {
    const tok = await token()
    const threadId = await createThread(tok)
    await dispatch(tok, rename(threadId, 'Second'))
    const before = await writtenRows(threadId)
    const result = await dispatch(tok, rename(threadId, 'Lost update', { expectedSequence }))
    expect(result.status).toBe(409)
    expect(result.body).toEqual({
      code: 'sequence_conflict',
      message: expect.any(String),
      details: { expectedSequence, actualSequence: 2 },
    })
    expect(await writtenRows(threadId)).toEqual(before)
    expect((await projection(tok, threadId)).thread.title).toBe('Second')
  })

  it('should accept the same commandId retried after re-reading the sequence', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const commandId = uniqueId('cmd')
    await dispatch(tok, rename(threadId, 'Someone else'))
    const conflict = await dispatch(tok, { commandId, ...rename(threadId, 'Mine', { expectedSequence: 1 }) })
    expect(conflict.body.code).toBe('sequence_conflict')

    const { sequence } = await projection(tok, threadId)
    const retry = await dispatch(tok, { commandId, ...rename(threadId, 'Mine', { expectedSequence: sequence }) })
    expect(retry).toEqual({ status: 200, body: { sequence: 3 } })
    // Now the id is remembered: its repeat is the success, whatever the sequence says.
    expect(await dispatch(tok, { commandId, ...rename(threadId, 'Mine', { expectedSequence: 1 }) })).toEqual(retry)
    const { receipts } = await writtenRows(threadId)
    expect(receipts.filter((r) => r.command_id === commandId)).toEqual([expect.objectContaining({ sequence: 3, error: null })])
  })

  it('should let exactly one of two writers that read the same sequence win', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const { sequence } = await projection(tok, threadId)
    const results = await Promise.all(['Writer A', 'Writer B', 'Writer C'].map((title) => dispatch(tok, rename(threadId, title, { expectedSequence: sequence }))))
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409])
    const winner = results.findIndex((r) => r.status === 200)
    expect((await projection(tok, threadId)).thread.title).toBe(['Writer A', 'Writer B', 'Writer C'][winner])
    expect((await writtenRows(threadId)).events).toHaveLength(2)
  })

  it('should check the sequence of a thread that does not exist yet on create', async () => {
    const tok = await token()
    const threadId = uniqueId('thread')
    const create = { type: 'thread.create', threadId, workspaceId: 'ws-test', modelSelection: { provider: 'codex', model: 'm' } }
    const conflict = await dispatch(tok, { ...create, expectedSequence: 1 })
    expect(conflict.status).toBe(409)
    expect(conflict.body.details).toEqual({ expectedSequence: 1, actualSequence: 0 })
    expect((await api(`/v1/threads/${threadId}`, { token: tok })).status).toBe(404)
    expect(await dispatch(tok, { ...create, expectedSequence: 0 })).toEqual({ status: 200, body: { sequence: 1 } })
  })

  it('should check the sequence before the command itself', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    // Unarchiving a thread that is not archived is refused, but the stale sequence is the first answer.
    const result = await dispatch(tok, { type: 'thread.unarchive', threadId, expectedSequence: 7 })
    expect(result.status).toBe(409)
    expect(result.body.code).toBe('sequence_conflict')
  })
})
