/**
 * @module The session driven by recorded upstream transcripts (LOOM_UPSTREAM_FIXTURES, default
 * ../shared/upstream-fixtures; failing when absent) through a replayed `query()`: steering, approvals, idle resume and
 * rollback, checked against what the recording expected the client to send.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { nullLog } from '../native-log.ts'
import type { ProviderSession } from '../adapter.ts'
import { replayQuery, type Replay } from './replay-query.ts'
import { ClaudeSession } from './session.ts'
import { claudeTranscript, handle, Recorder, respond, steer, turnStart } from './testing.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function setup(scenario: string): { rec: Recorder; replay: Replay; open(): ProviderSession } {
  const replay = replayQuery(claudeTranscript(scenario), { mode: 'compatible' })
  const root = mkdtempSync(join(tmpdir(), 'loom-claude-replay-'))
  dirs.push(root)
  const rec = new Recorder()
  const open = () => new ClaudeSession({ ...rec.options({ cwd: join(root, 'work'), stateDir: join(root, 'state'), providerEnv: {} }), log: nullLog }, { queryFn: replay.queryFn })
  return { rec, replay, open }
}

const text = (m: { message: { content: unknown } }) => (typeof m.message.content === 'string' ? m.message.content : JSON.stringify(m.message.content))

describe('recorded transcripts through the session', () => {
  it('message_steering: the steer goes with priority "now" and only the last result ends the run', async () => {
    const { rec, replay, open } = setup('message_steering')
    const session = open()
    const start = turnStart('Respond with exactly: steering fixture initial response', { runtimeMode: 'full-access' })
    await session.startTurn(start)
    await session.steerTurn(steer(start, 'Actually, respond with exactly: steering fixture observed'))
    const done = await rec.waitFor('turn.completed')
    expect(done).toMatchObject({ status: 'completed', failure: null })
    expect(rec.of('turn.completed')).toHaveLength(1)
    expect(rec.of('item.updated').at(-1)?.content).toEqual({ type: 'assistant_message', text: 'steering fixture observed' })
    expect(replay.prompts.map((p) => [text(p), p.priority])).toEqual([
      ['Respond with exactly: steering fixture initial response', undefined],
      ['Actually, respond with exactly: steering fixture observed', 'now'],
    ])
    expect(replay.opens[0]).toMatchObject({ permissionMode: 'bypassPermissions', allowDangerouslySkipPermissions: true, sessionId: expect.any(String) })
    await session.close('test_end')
    replay.assertComplete()
  })

  it('tool_call_read_only_on_request: the approval becomes a request and the answer the recorded allow', async () => {
    const { rec, replay, open } = setup('tool_call_read_only_on_request')
    const session = open()
    await session.startTurn(turnStart('Create or overwrite the file', { runtimeMode: 'approval-required' }))
    const ask = await rec.waitFor('request.opened')
    expect(ask).toMatchObject({ kind: 'command', prompt: expect.stringContaining('printf') })
    await session.respond(respond(ask.nativeRequestId, 'accept'))
    expect((await rec.waitFor('turn.completed')).status).toBe('completed')
    expect(replay.answers).toEqual([expect.objectContaining({ behavior: 'allow', updatedInput: expect.objectContaining({ command: expect.stringContaining('printf') }), toolUseID: ask.nativeRequestId })])
    expect(rec.of('item.updated').filter((e) => e.nativeItemId === ask.nativeRequestId).map((e) => e.status)).toEqual(['running', 'completed'])
    await session.close('test_end')
    replay.assertComplete()
  })

  it('claude_idle_resume: after an idle release the next run reopens with resume, never a new session', async () => {
    const { rec, replay, open } = setup('claude_idle_resume')
    const first = open()
    await first.startTurn(turnStart('Respond with exactly: idle resume first turn complete', { runtimeMode: 'full-access' }))
    const one = await rec.waitFor('turn.completed')
    const sessionId = rec.of('provider-thread.bound')[0]?.nativeThreadId ?? ''
    await first.close('idle_timeout')
    const from = rec.events.length
    const second = open()
    await second.startTurn(turnStart('Respond with exactly: idle resume second turn complete', { runtimeMode: 'full-access', providerThread: handle(sessionId, one.nativeConversationHeadRef) }))
    expect((await rec.waitFor('turn.completed', () => true, 5000, from)).status).toBe('completed')
    expect(replay.opens.map((o) => [o.sessionId, o.resume])).toEqual([
      [sessionId, undefined],
      [undefined, sessionId],
    ])
    await second.close('test_end')
    replay.assertComplete()
  })

  it('thread_rollback: dropping turn 2 reopens at the last assistant uuid of turn 1', async () => {
    const { rec, replay, open } = setup('thread_rollback')
    const session = open()
    const one = turnStart('Respond with exactly: rollback fixture first turn complete', { runtimeMode: 'full-access' })
    await session.startTurn(one)
    await rec.waitFor('turn.completed', (e) => e.runId === one.runId)
    const sessionId = rec.of('provider-thread.bound')[0]?.nativeThreadId ?? ''
    const two = turnStart('Respond with exactly: rollback fixture second turn complete', { runtimeMode: 'full-access', providerThread: handle(sessionId) })
    await session.startTurn(two)
    await rec.waitFor('turn.completed', (e) => e.runId === two.runId)
    await session.rollback({ kind: 'thread.rollback', checkpointId: 'cp-1' as never, ref: 'r', appRunOrdinal: 1, providerThread: handle(sessionId), nativeTurnRefs: [`turn:${two.attemptId}`] })
    const three = turnStart('Repeat the conversation verbatim.', { runtimeMode: 'full-access', providerThread: handle(sessionId) })
    await session.startTurn(three)
    expect((await rec.waitFor('turn.completed', (e) => e.runId === three.runId)).status).toBe('completed')
    expect(replay.opens[1]).toMatchObject({ resume: sessionId, resumeSessionAt: '3831efb6-619c-4c16-a38a-bf788040ac42' })
    expect(replay.opens[1]?.sessionId).toBeUndefined()
    await expect(session.rollback({ kind: 'thread.rollback', checkpointId: 'cp-2' as never, ref: 'r', appRunOrdinal: 1, providerThread: handle(sessionId), nativeTurnRefs: ['turn:unknown'] })).rejects.toThrow(/no conversation cursor/)
    await session.close('test_end')
    replay.assertComplete()
  })
})
