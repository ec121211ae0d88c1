/** @module Session behaviour that needs no model: a scripted in-memory app-server answers the requests. */
import { describe, expect, it } from 'vitest'
import type { MessageId, RunAttemptId, RunId, RuntimeEvent } from '../../src/contracts/index.ts'
import { AdapterError, type TurnStart } from '../adapter.ts'
import { nullLog } from '../native-log.ts'
import type { CodexHome } from './codex-home.ts'
import { CodexConnection } from './connection.ts'
import type { JsonFrame } from './jsonl-decoder.ts'
import { CodexProcessPool } from './process-pool.ts'
import { CodexSession } from './session.ts'
import { FakeProcess } from './testing/fake-process.ts'

type Script = (frame: JsonFrame, child: FakeProcess) => void

/** Answers initialize, thread/start and turn/start; `extra` handles the rest. */
const baseScript =
  (extra: Script = () => undefined, turnStart: 'ok' | 'refuse' = 'ok'): Script =>
  (frame, child) => {
    const reply = (result: unknown) => child.send({ id: frame.id as number, result })
    if (frame.method === 'initialize') reply({ userAgent: 'x', codexHome: '/h', platformFamily: 'unix', platformOs: 'linux' })
    else if (frame.method === 'thread/start') reply({ thread: { id: 'thr' } })
    else if (frame.method === 'turn/start') {
      if (turnStart === 'refuse') child.send({ id: frame.id as number, error: { code: -32600, message: 'bad input' } })
      else reply({ turn: { id: 'turn-1', status: 'inProgress', items: [] } })
    } else extra(frame, child)
  }

async function setup(script: Script, interruptGraceMs = 100) {
  const child = new FakeProcess()
  child.stdin.on('data', () => queueMicrotask(() => script(child.written.at(-1) as JsonFrame, child)))
  const home = { codexHome: '/h', env: {}, key: 'k', config: { toml: '', passEnv: {}, modelProvider: 'loom', apiKeyEnv: null } } satisfies CodexHome
  const pool = new CodexProcessPool(() => new CodexConnection({ env: {}, cwd: '/', clientInfo: { name: 't', title: null, version: '0' }, spawn: () => child }))
  const events: RuntimeEvent[] = []
  const session = await CodexSession.open({
    pool,
    home,
    interruptGraceMs,
    options: { threadId: 't', cwd: '/w', stateDir: '/s', providerEnv: {}, emit: (e) => events.push(e), delta: () => undefined, log: nullLog },
  })
  return { child, session, events, pool }
}

const turn = (n: number): TurnStart => ({
  kind: 'turn.start',
  runId: `run:${n}` as RunId,
  attemptId: `attempt:${n}` as RunAttemptId,
  runOrdinal: n,
  modelSelection: { provider: 'codex', model: 'm', options: { reasoningEffort: 'low' } },
  runtimeMode: 'auto-accept-edits',
  interactionMode: 'default',
  message: { messageId: `message:${n}` as MessageId, text: 'hi', attachments: [] },
  providerThread: null,
  handoffText: 'Context handoff: earlier work',
  worktreePath: '/w/tree',
  fork: null,
})

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('CodexSession', () => {
  it('should start a thread and a turn with the policy, handoff, worktree and effort', async () => {
    const { child, session, events } = await setup(baseScript())
    await session.startTurn(turn(1))
    const start = child.written.find((f) => f.method === 'turn/start')
    expect(start?.params).toEqual({
      threadId: 'thr',
      input: [
        { type: 'text', text: 'Context handoff: earlier work', text_elements: [] },
        { type: 'text', text: 'hi', text_elements: [] },
      ],
      cwd: '/w/tree',
      model: 'm',
      effort: 'low',
      approvalPolicy: 'on-request',
      sandboxPolicy: { type: 'workspaceWrite', writableRoots: [], networkAccess: false, excludeTmpdirEnvVar: false, excludeSlashTmp: false },
      collaborationMode: { mode: 'default', settings: { model: 'm', reasoning_effort: null, developer_instructions: null } },
    })
    expect(events.map((e) => e.type)).toEqual(['session.started', 'provider-thread.bound', 'session.started', 'turn.started'])
    await expect(session.startTurn(turn(2))).rejects.toMatchObject({ failure: { class: 'validation_error', code: 'codex.turn_active' } })
  })

  it('should fail the effect, not the session, when Codex refuses turn/start', async () => {
    const { session, events } = await setup(baseScript(undefined, 'refuse'))
    const error = await session.startTurn(turn(1)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AdapterError)
    expect((error as AdapterError).failure).toMatchObject({ class: 'validation_error', message: 'turn/start: bad input' })
    expect(events.some((e) => e.type === 'turn.started')).toBe(false)
    // The run never started, so another one may.
    await expect(session.startTurn(turn(2))).rejects.toMatchObject({ failure: { message: 'turn/start: bad input' } })
  })

  it('should end the run interrupted when Codex acknowledges an interrupt but never completes the turn', async () => {
    const { child, session, events } = await setup(baseScript((frame, c) => frame.method === 'turn/interrupt' && c.send({ id: frame.id as number, result: {} })))
    const effect = turn(1)
    await session.startTurn(effect)
    await session.interruptTurn({ kind: 'turn.interrupt', runId: effect.runId, attemptId: effect.attemptId, nativeTurnRef: null })
    expect(child.written.find((f) => f.method === 'turn/interrupt')?.params).toEqual({ threadId: 'thr', turnId: 'turn-1' })
    expect(events.some((e) => e.type === 'turn.completed')).toBe(false)
    await wait(150)
    expect(events.filter((e) => e.type === 'turn.completed')).toEqual([expect.objectContaining({ runId: effect.runId, status: 'interrupted', nativeTurnId: 'turn-1' })])
    // Interrupting a run that already ended is a no-op, not an error.
    await session.interruptTurn({ kind: 'turn.interrupt', runId: effect.runId, attemptId: effect.attemptId, nativeTurnRef: null })
  })

  it('should decline a request that arrives when no run can answer it, and refuse answers to unknown requests', async () => {
    const { child, session } = await setup(baseScript())
    await session.startTurn(turn(1))
    child.send({ method: 'turn/completed', params: { threadId: 'thr', turn: { id: 'turn-1', status: 'completed', error: null } } })
    child.send({ id: 7, method: 'item/commandExecution/requestApproval', params: { threadId: 'thr', turnId: 'turn-1', itemId: 'i', command: 'ls' } })
    await wait(10)
    expect(child.written).toContainEqual({ id: 7, result: { decision: 'decline' } })
    const respond = session.respond({ kind: 'request.respond', requestId: 'request:x' as never, nativeRequestRef: 'turn-1/7', decision: 'accept', answers: null })
    await expect(respond).rejects.toMatchObject({ failure: { code: 'codex.request_not_pending' } })
  })

  it('should close: unsubscribe its thread, release the process and report the release', async () => {
    const { child, session, events, pool } = await setup(baseScript((frame, c) => frame.method === 'thread/unsubscribe' && c.send({ id: frame.id as number, result: { status: 'unsubscribed' } })))
    await session.startTurn(turn(1))
    child.send({ method: 'turn/completed', params: { threadId: 'thr', turn: { id: 'turn-1', status: 'completed', error: null } } })
    await wait(5)
    await session.close('idle_timeout')
    expect(child.written.find((f) => f.method === 'thread/unsubscribe')?.params).toEqual({ threadId: 'thr' })
    expect(events.at(-1)).toEqual({ type: 'session.released', provider: 'codex', reason: 'idle_timeout', failure: null })
    expect(pool.size).toBe(0)
    await expect(session.startTurn(turn(2))).rejects.toMatchObject({ failure: { code: 'codex.session_closed' } })
  })
})
