import { describe, expect, it } from 'vitest'
import { api, connect, createThread, dispatch, projection, token, uniqueId } from './helpers.ts'
import { runnerThread } from './runner-helpers.ts'
import { outboxRows, writtenRows } from './storage-helpers.ts'
import { eventually } from './wait.ts'

const listed = async (tok: string, workspaceId: string, archived = false): Promise<any[]> =>
  (await api(`/v1/workspaces/${workspaceId}/threads?archived=${archived}`, { token: tok })).body.threads

describe('thread.create', () => {
  it('should create the thread, record its creator and push its summary to the workspace', async () => {
    const tok = await token({ sub: 'user:creator' })
    const threadId = uniqueId('thread')
    const result = await dispatch(tok, { type: 'thread.create', threadId, workspaceId: 'ws-test', modelSelection: { provider: 'claude', model: 'sonnet' } })
    expect(result).toEqual({ status: 200, body: { sequence: 1 } })
    const p = await projection(tok, threadId)
    expect(p.thread).toMatchObject({
      id: threadId,
      workspaceId: 'ws-test',
      title: 'New thread',
      modelSelection: { provider: 'claude', model: 'sonnet' },
      runtimeMode: 'approval-required',
      interactionMode: 'default',
      createdBy: 'user:creator',
      archivedAt: null,
      deletedAt: null,
      lineage: { parentThreadId: null, relationshipToParent: null, rootThreadId: threadId },
    })
    const events = (await api(`/v1/threads/${threadId}/events`, { token: tok })).body.events
    expect(events.map((e: any) => [e.sequence, e.event.type, e.actor])).toEqual([[1, 'thread.created', 'user:creator']])
    const [shell] = await outboxRows(threadId)
    expect(shell).toMatchObject({ effect_id: `shell:${threadId}`, kind: 'shell.push', target: 'workspace' })
    await eventually(async () => (await outboxRows(threadId))[0]?.status === 'acked')
    const summary = (await listed(tok, 'ws-test')).find((t) => t.id === threadId)
    expect(summary).toMatchObject({ title: 'New thread', provider: 'claude', status: 'idle', sequence: 1, archived: false })
  })

  it('should refuse a second create of the same thread with 409 thread_exists', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const before = await writtenRows(threadId)
    const again = await dispatch(tok, { type: 'thread.create', threadId, workspaceId: 'ws-test', title: 'Again', modelSelection: { provider: 'codex', model: 'm' } })
    expect(again.status).toBe(409)
    expect(again.body.code).toBe('thread_exists')
    const after = await writtenRows(threadId)
    expect(after.events).toEqual(before.events)
    expect((await projection(tok, threadId)).thread.title).toBe('A thread')
  })
})

describe('thread settings', () => {
  it.each([
    { type: 'thread.model-selection.set', fields: { modelSelection: { provider: 'claude', model: 'opus', options: { effort: 'high' } } }, expected: { modelSelection: { provider: 'claude', model: 'opus', options: { effort: 'high' } } } },
    { type: 'thread.runtime-mode.set', fields: { runtimeMode: 'full-access' }, expected: { runtimeMode: 'full-access' } },
    { type: 'thread.interaction-mode.set', fields: { interactionMode: 'plan' }, expected: { interactionMode: 'plan' } },
    { type: 'thread.metadata.update', fields: { title: 'Renamed', branch: 'feature/x' }, expected: { title: 'Renamed', branch: 'feature/x' } },
    { type: 'thread.metadata.update', fields: { branch: null }, expected: { title: 'A thread', branch: null } },
  ])('should apply $type with $fields', async ({ type, fields, expected }) => {
    const tok = await token({ sub: 'user:settings' })
    const threadId = await createThread(tok, undefined, { branch: 'main' })
    const result = await dispatch(tok, { type, threadId, ...fields })
    expect(result).toEqual({ status: 200, body: { sequence: 2 } })
    const p = await projection(tok, threadId)
    expect(p.thread).toMatchObject(expected)
    const [, event] = (await api(`/v1/threads/${threadId}/events`, { token: tok })).body.events
    expect(event).toMatchObject({ sequence: 2, actor: 'user:settings', event: { type: 'thread.updated' } })
    // No run, no session: a setting queues nothing for a runner, only the summary for the workspace.
    expect((await outboxRows(threadId)).map((r) => r.kind)).toEqual(['shell.push'])
  })

  it('should refuse a metadata update that changes nothing with 400 and the issue path', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const result = await dispatch(tok, { type: 'thread.metadata.update', threadId })
    expect(result.status).toBe(400)
    expect(result.body.code).toBe('invalid_request')
    expect(result.body.details.issues).toContainEqual(expect.objectContaining({ path: ['title'] }))
  })

  it.each([
    { type: 'thread.model-selection.set', modelSelection: { provider: 'codex', model: 'other' } },
    { type: 'thread.runtime-mode.set', runtimeMode: 'full-access' },
    { type: 'thread.interaction-mode.set', interactionMode: 'plan' },
    { type: 'message.dispatch', text: 'hello' },
    { type: 'thread.archive' },
  ])('should refuse $type on an archived thread with 409 thread_archived', async (command) => {
    const tok = await token()
    const threadId = await createThread(tok)
    await dispatch(tok, { type: 'thread.archive', threadId })
    const before = await writtenRows(threadId)
    const result = await dispatch(tok, { ...command, threadId })
    expect(result.status).toBe(409)
    expect(result.body.code).toBe('thread_archived')
    expect((await writtenRows(threadId)).events).toEqual(before.events)
  })

  it('should still rename an archived thread', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    await dispatch(tok, { type: 'thread.archive', threadId })
    expect((await dispatch(tok, { type: 'thread.metadata.update', threadId, title: 'Archived but renamed' })).status).toBe(200)
    expect((await projection(tok, threadId)).thread.title).toBe('Archived but renamed')
  })
})

describe('archive, unarchive, delete', () => {
  it('should archive a thread and move it to the archived list, then unarchive it', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    expect((await dispatch(tok, { type: 'thread.archive', threadId })).status).toBe(200)
    expect((await projection(tok, threadId)).thread.archivedAt).toEqual(expect.any(Number))
    await eventually(async () => (await listed(tok, 'ws-test', true)).some((t) => t.id === threadId))
    expect((await listed(tok, 'ws-test')).some((t) => t.id === threadId)).toBe(false)

    expect((await dispatch(tok, { type: 'thread.unarchive', threadId })).status).toBe(200)
    expect((await projection(tok, threadId)).thread.archivedAt).toBeNull()
    await eventually(async () => (await listed(tok, 'ws-test')).some((t) => t.id === threadId))
  })

  it('should refuse to unarchive a thread that is not archived with 409 thread_not_archived', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    const result = await dispatch(tok, { type: 'thread.unarchive', threadId })
    expect(result.status).toBe(409)
    expect(result.body.code).toBe('thread_not_archived')
  })

  it.each(['thread.archive', 'thread.delete'])('should refuse %s while a run is queued with 409 run_active', async (type) => {
    const tok = await token()
    const threadId = await createThread(tok)
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'waits for a runner' })
    const result = await dispatch(tok, { type, threadId })
    expect(result.status).toBe(409)
    expect(result.body.code).toBe('run_active')
    const p = await projection(tok, threadId)
    expect(p.thread).toMatchObject({ archivedAt: null, deletedAt: null })
  })

  it.each(['thread.archive', 'thread.delete'])('should refuse %s while a run is active with 409 run_active', async (type) => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'working' })
    await link.startTurn(await link.effect('turn.start'))
    const result = await dispatch(tok, { type, threadId })
    expect(result.status).toBe(409)
    expect(result.body.code).toBe('run_active')
    runner.close()
  })

  it('should delete a thread: reads and commands then answer 404, and the list drops it', async () => {
    const tok = await token()
    const threadId = await createThread(tok)
    await eventually(async () => (await listed(tok, 'ws-test')).some((t) => t.id === threadId))
    expect((await dispatch(tok, { type: 'thread.delete', threadId })).status).toBe(200)
    for (const path of [`/v1/threads/${threadId}`, `/v1/threads/${threadId}/events`]) {
      const read = await api(path, { token: tok })
      expect(read.status).toBe(404)
      expect(read.body.code).toBe('thread_not_found')
    }
    for (const command of [{ type: 'message.dispatch', text: 'hello?' }, { type: 'thread.delete' }, { type: 'thread.unarchive' }]) {
      const result = await dispatch(tok, { ...command, threadId })
      expect(result.status).toBe(404)
      expect(result.body.code).toBe('thread_not_found')
    }
    await eventually(async () => !(await listed(tok, 'ws-test')).some((t) => t.id === threadId))
  })

  it.each([
    { type: 'thread.archive', reason: 'thread_archived' },
    { type: 'thread.delete', reason: 'thread_deleted' },
  ])('should close the live provider session on $type', async ({ type, reason }) => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'one turn' })
    await link.runNext({ runOrdinal: 1 })
    expect((await dispatch(tok, { type, threadId })).status).toBe(200)
    const close = await link.effect('session.close')
    expect(close.body).toEqual({ kind: 'session.close', provider: 'codex', reason })
    const rows = await outboxRows(threadId, 'session.close')
    expect(rows).toEqual([expect.objectContaining({ effect_id: close.effectId, target: 'runner', status: 'delivered', epoch: runner.epoch })])
    runner.close()
  })
})

describe('commands addressed to another thread', () => {
  it("should refuse a command on a thread's socket that names another thread, changing neither", async () => {
    const tok = await token()
    const threadA = await createThread(tok)
    const threadB = await createThread(tok)
    const [beforeA, beforeB] = [await writtenRows(threadA), await writtenRows(threadB)]
    const socket = await connect(`/v1/ws?threadId=${threadA}`, tok)
    const answer = await socket.request(1, 'dispatchCommand', { commandId: uniqueId('cmd'), type: 'thread.metadata.update', threadId: threadB, title: 'Misrouted' })
    socket.close()
    expect(answer.error).toMatchObject({ code: 'invalid_request', details: { path: ['threadId'] } })
    expect(await writtenRows(threadA)).toEqual(beforeA)
    expect(await writtenRows(threadB)).toEqual(beforeB)
  })

  it('should refuse to create a thread inside the object of another thread id', async () => {
    const tok = await token()
    const addressed = uniqueId('thread')
    const named = uniqueId('thread')
    const socket = await connect(`/v1/ws?threadId=${addressed}`, tok)
    const answer = await socket.request(1, 'dispatchCommand', {
      commandId: uniqueId('cmd'),
      type: 'thread.create',
      threadId: named,
      workspaceId: 'ws-test',
      modelSelection: { provider: 'codex', model: 'm' },
    })
    socket.close()
    expect(answer.error).toMatchObject({ code: 'invalid_request', details: { path: ['threadId'] } })
    for (const threadId of [addressed, named]) expect((await api(`/v1/threads/${threadId}`, { token: tok })).status).toBe(404)
  })
})
