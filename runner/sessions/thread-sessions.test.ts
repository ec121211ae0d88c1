import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CODEX_CAPABILITIES, Effect, providerFailure, type ProviderKind, type RuntimeEvent } from '../../src/contracts/index.ts'
import { AdapterError, type ProviderAdapter, type ProviderSession, type SessionOptions } from '../adapter.ts'
import { nullLog } from '../native-log.ts'
import { memoryLogger } from '../console-log.ts'
import { EffectIntake } from '../link/effect-intake.ts'
import { ThreadSessions, type ThreadSessionsOptions } from './thread-sessions.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A codex stand-in that records calls and plays a one-line turn. */
const fakeAdapter = (calls: string[], opts: { failSteer?: boolean } = {}): ProviderAdapter => ({
  provider: 'codex',
  capabilities: CODEX_CAPABILITIES,
  status: async () => ({ provider: 'codex', state: 'ready', version: '1', auth: 'not_required', models: [], capabilities: null, message: null, checkedAt: 0 }),
  openSession: async (options: SessionOptions): Promise<ProviderSession> => {
    calls.push(`open ${options.cwd}`)
    return {
      startTurn: async (e) => {
        calls.push(`start ${e.runId}`)
        options.emit({ type: 'turn.started', runId: e.runId, attemptId: e.attemptId, nativeTurnId: 'nt-1' } as RuntimeEvent)
        options.delta('msg-1', 'Hel')
        options.delta('msg-1', 'lo')
        options.emit({ type: 'item.updated', runId: e.runId, nativeItemId: 'msg-1', parentNativeItemId: null, status: 'completed', content: { type: 'assistant_message', text: 'Hello' } } as RuntimeEvent)
      },
      steerTurn: async () => {
        calls.push('steer')
        if (opts.failSteer) throw new AdapterError(providerFailure('provider_error', 'no turn to steer', 'no_turn', false))
      },
      interruptTurn: async () => void calls.push('interrupt'),
      respond: async (e) => void calls.push(`respond ${e.nativeRequestRef}`),
      rollback: async () => void calls.push('rollback'),
      close: async (reason) => void calls.push(`close ${reason}`),
    }
  },
})

const turnStart = (n: number, provider: ProviderKind = 'codex'): Effect =>
  Effect.parse({
    effectId: `effect:t1:${n}:0`,
    threadId: 't1',
    body: {
      kind: 'turn.start',
      runId: `run:t1:${n}`,
      attemptId: `attempt:run:t1:${n}:1`,
      runOrdinal: n,
      modelSelection: { provider, model: 'm' },
      runtimeMode: 'full-access',
      interactionMode: 'default',
      message: { messageId: `m${n}`, text: 'hi', attachments: [] },
      providerThread: null,
      handoffText: null,
      worktreePath: null,
    },
  })

const setup = (adapters: Map<ProviderKind, ProviderAdapter>, openLog: ThreadSessionsOptions['openLog'] = () => ({ ...nullLog, close: () => undefined })) => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-sessions-'))
  dirs.push(dir)
  const sent: Array<RuntimeEvent | { delta: string; text: string } | { end: string }> = []
  const log = memoryLogger()
  const sessions = new ThreadSessions({
    threadId: 't1',
    adapters,
    workspaceRoot: '/repo',
    providersDir: dir,
    providerEnv: {},
    sink: {
      emit: (e) => void sent.push(e),
      delta: (itemId, text) => void sent.push({ delta: itemId, text }),
      endItem: (itemId) => void sent.push({ end: itemId }),
      flushDeltas: () => undefined,
    },
    openLog,
    log,
  })
  const intake = new EffectIntake({ threadId: 't1', emit: (e) => void sent.push(e), holds: () => false, carryOut: (e) => sessions.carryOut(e), log })
  return { sessions, intake, sent, log }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10))
const types = (sent: unknown[]) => sent.map((e: any) => e.type ?? (e.delta ? `delta ${e.text}` : `end ${e.end}`))

describe('the session host', () => {
  it('should open one session lazily on the first turn.start and report the effect once', async () => {
    const calls: string[] = []
    const { intake, sent } = setup(new Map([['codex', fakeAdapter(calls)]]))
    intake.receive(turnStart(1))
    intake.receive(turnStart(1)) // a redelivery while it runs
    await settle()
    intake.receive(turnStart(2))
    await settle()
    expect(calls).toEqual(['open /repo', 'start run:t1:1', 'start run:t1:2'])
    expect(types(sent).slice(0, 6)).toEqual(['effect.accepted', 'turn.started', 'delta Hel', 'delta lo', 'end item:codex:msg-1', 'item.updated'])
    expect(sent.filter((e: any) => e.type === 'effect.completed').map((e: any) => e.effectId)).toEqual(['effect:t1:1:0', 'effect:t1:2:0'])
    expect(sent.every((e: any) => !e.type || typeof e.at === 'number')).toBe(true)
  })

  it('should report a finished effect again when it is redelivered and its outcome was already acknowledged', async () => {
    const { intake, sent } = setup(new Map([['codex', fakeAdapter([])]]))
    intake.receive(turnStart(1))
    await settle()
    const before = sent.length
    intake.receive(turnStart(1))
    expect(sent.slice(before)).toMatchObject([{ type: 'effect.completed', effectId: 'effect:t1:1:0' }])
  })

  it('should fail a turn for a provider this runner has no adapter for', async () => {
    const { intake, sent } = setup(new Map())
    intake.receive(turnStart(1, 'claude'))
    await settle()
    expect(sent.at(-1)).toMatchObject({
      type: 'effect.failed',
      effectId: 'effect:t1:1:0',
      failure: { class: 'validation_error', message: 'this runner has no claude adapter', code: 'provider_unavailable', retryable: false },
    })
  })

  it('should route steer, respond and close to the live session and pass adapter failures on', async () => {
    const calls: string[] = []
    const { intake, sent } = setup(new Map([['codex', fakeAdapter(calls, { failSteer: true })]]))
    intake.receive(turnStart(1))
    intake.receive(Effect.parse({ effectId: 'e-steer', threadId: 't1', body: { kind: 'turn.steer', runId: 'run:t1:1', attemptId: 'a', nativeTurnRef: null, message: { messageId: 'm', text: 'x', attachments: [] } } }))
    intake.receive(Effect.parse({ effectId: 'e-resp', threadId: 't1', body: { kind: 'request.respond', requestId: 'request:codex:42', nativeRequestRef: '42', decision: 'accept', answers: null } }))
    intake.receive(Effect.parse({ effectId: 'e-close', threadId: 't1', body: { kind: 'session.close', provider: 'codex', reason: 'idle_timeout' } }))
    await settle()
    expect(calls).toEqual(['open /repo', 'start run:t1:1', 'steer', 'respond 42', 'close idle_timeout'])
    expect(sent.find((e: any) => e.effectId === 'e-steer' && e.type === 'effect.failed')).toMatchObject({ failure: { class: 'provider_error', code: 'no_turn' } })
    expect(sent.find((e: any) => e.effectId === 'e-close' && e.type === 'effect.completed')).toBeDefined()
    // After the close, an interrupt finds no live session.
    intake.receive(Effect.parse({ effectId: 'e-int', threadId: 't1', body: { kind: 'turn.interrupt', runId: 'run:t1:1', attemptId: 'a', nativeTurnRef: null } }))
    await settle()
    expect(sent.at(-1)).toMatchObject({ type: 'effect.failed', failure: { code: 'session_not_found' } })
  })

  it('should end a turn no provider will finish when it shuts down, and drop events that break the contract', async () => {
    const calls: string[] = []
    const adapter = fakeAdapter(calls)
    const quiet: ProviderAdapter = {
      ...adapter,
      openSession: async (options) => {
        const session = await adapter.openSession(options)
        return { ...session, startTurn: async () => options.emit({ type: 'turn.started', runId: 'run:t1:1' } as RuntimeEvent) }
      },
    }
    const { sessions, intake, sent, log } = setup(new Map([['codex', quiet]]))
    intake.receive(turnStart(1))
    await settle()
    expect(log.lines.some((l) => l.msg === 'dropped a runtime event that breaks the contract')).toBe(true)
    await sessions.closeAll('server_shutdown')
    expect(calls).toContain('close server_shutdown')
    expect(sent.slice(-1)).toMatchObject([
      { type: 'turn.completed', runId: 'run:t1:1', status: 'interrupted', failure: { class: 'runner_lost', code: 'runner_shutdown' } },
    ])
  })
})

describe('native logs and turn ends', () => {
  it('should have written a turn\'s native frames by the time its end is reported', async () => {
    const written: string[] = []
    let buffered: string[] = []
    const adapter: ProviderAdapter = {
      ...fakeAdapter([]),
      openSession: async (options: SessionOptions): Promise<ProviderSession> => ({
        ...(await fakeAdapter([]).openSession(options)),
        startTurn: async (e) => {
          options.log.outbound({ method: 'turn/start' }, 'turn/start')
          options.emit({ type: 'turn.completed', runId: e.runId, attemptId: e.attemptId, nativeTurnId: 'nt-1', status: 'completed', failure: null, usage: null, nativeConversationHeadRef: null } as RuntimeEvent)
        },
      }),
    }
    const { intake, sent } = setup(new Map([['codex', adapter]]), () => ({
      ...nullLog,
      outbound: (frame: unknown) => void buffered.push(JSON.stringify(frame)),
      flush: () => {
        written.push(...buffered)
        buffered = []
      },
      close: () => undefined,
    }))
    let writtenAtEnd: string[] | null = null
    const emit = sent.push.bind(sent)
    sent.push = (...items) => {
      if (items.some((e: any) => e.type === 'turn.completed')) writtenAtEnd = [...written]
      return emit(...items)
    }
    intake.receive(turnStart(1))
    await settle()
    expect(writtenAtEnd).toEqual(['{"method":"turn/start"}'])
  })
})
