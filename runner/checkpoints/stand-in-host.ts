/**
 * @module Test support: a session host with checkpoints on a real repository, and a provider
 * stand-in (no model behind a unit test) whose turn writes `run-<n>.txt` in its cwd and ends
 * only when the test says how (completed, failed, interrupted), as a real agent's session
 * would report it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CODEX_CAPABILITIES, Effect, providerFailure, type RuntimeEvent } from '../../src/contracts/index.ts'
import type { ProviderAdapter, ProviderSession, SessionOptions } from '../adapter.ts'
import { memoryLogger } from '../console-log.ts'
import { nullLog } from '../native-log.ts'
import { ThreadSessions } from '../sessions/thread-sessions.ts'
import { ThreadCheckpoints, type DiffText } from './thread-checkpoints.ts'

export type TurnEnd = 'completed' | 'failed' | 'interrupted'

const standIn = (calls: string[], ends: Map<number, (status: TurnEnd) => void>): ProviderAdapter => ({
  provider: 'codex',
  capabilities: CODEX_CAPABILITIES,
  status: async () => ({ provider: 'codex', state: 'ready', version: '1', auth: 'not_required', models: [], capabilities: null, message: null, checkedAt: 0 }),
  openSession: async (options: SessionOptions): Promise<ProviderSession> => {
    calls.push(`open ${options.cwd}`)
    return {
      startTurn: async (e) => {
        writeFileSync(join(options.cwd, `run-${e.runOrdinal}.txt`), `written in run ${e.runOrdinal}\n`)
        const nativeTurnId = `nt-${e.runOrdinal}`
        options.emit({ type: 'turn.started', runId: e.runId, attemptId: e.attemptId, nativeTurnId } as RuntimeEvent)
        ends.set(e.runOrdinal, (status) =>
          options.emit({
            type: 'turn.completed',
            runId: e.runId,
            attemptId: e.attemptId,
            nativeTurnId,
            status,
            failure: status === 'failed' ? providerFailure('provider_error', 'the model failed', 'model_error', true) : null,
            usage: null,
            nativeConversationHeadRef: null,
          } as RuntimeEvent),
        )
      },
      steerTurn: async () => undefined,
      interruptTurn: async () => undefined,
      respond: async () => undefined,
      rollback: async (e) => void calls.push(`rollback ${e.nativeTurnRefs.join(',')}`),
      close: async (reason) => void calls.push(`close ${reason}`),
    }
  },
})

export const turnStart = (threadId: string, n: number): Effect =>
  Effect.parse({
    effectId: `effect:${threadId}:${n}`,
    threadId,
    body: {
      kind: 'turn.start',
      runId: `run:${threadId}:${n}`,
      attemptId: `attempt:${threadId}:${n}`,
      runOrdinal: n,
      modelSelection: { provider: 'codex', model: 'm' },
      runtimeMode: 'full-access',
      interactionMode: 'default',
      message: { messageId: `m${n}`, text: 'hi', attachments: [] },
      providerThread: null,
      handoffText: null,
      worktreePath: null,
    },
  })

export const sessionClose = (threadId: string, reason: 'thread_deleted' | 'thread_archived' | 'idle_timeout'): Effect =>
  Effect.parse({ effectId: `effect:${threadId}:close:${reason}`, threadId, body: { kind: 'session.close', provider: 'codex', reason } })

/** A host for thread `threadId` on `root`; `end(n, status)` ends run n's turn. State goes under `stateDirs`. */
export const standInHost = (threadId: string, root: string, stateDirs: string[]) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'loom-state-'))
  stateDirs.push(stateDir)
  const sent: RuntimeEvent[] = []
  const diffs: DiffText[] = []
  const calls: string[] = []
  const ends = new Map<number, (status: TurnEnd) => void>()
  const log = memoryLogger()
  const sessions = new ThreadSessions({
    threadId,
    adapters: new Map([['codex', standIn(calls, ends)]]),
    workspaceRoot: root,
    providersDir: stateDir,
    providerEnv: {},
    sink: { emit: (e) => void sent.push(e), delta: () => undefined, endItem: () => undefined, flushDeltas: () => undefined },
    openLog: () => ({ ...nullLog, close: () => undefined }),
    log,
    checkpoints: { files: new ThreadCheckpoints(threadId, root), sendDiff: (d) => void diffs.push(d), dropDiffs: () => void calls.push('drop diffs') },
  })
  const end = (n: number, status: TurnEnd): void => {
    const finish = ends.get(n)
    if (!finish) throw new Error(`run ${n} has not started`)
    finish(status)
  }
  /** The events as short names: `checkpoint <ordinal>` or the event type (with a turn's status). */
  const story = (): string[] =>
    sent.map((e) => (e.type === 'checkpoint.captured' ? `checkpoint ${e.appRunOrdinal}` : e.type === 'turn.completed' ? `turn.completed ${e.status}` : e.type))
  /** Starts run n, ends it with `status`, and waits until its end is reported (after its checkpoint). */
  const play = async (n: number, status: TurnEnd = 'completed'): Promise<void> => {
    const ended = () => sent.filter((e) => e.type === 'turn.completed' && e.runId === `run:${threadId}:${n}`).length > 0
    await sessions.carryOut(turnStart(threadId, n))
    end(n, status)
    await until(ended)
  }
  return { sessions, sent, diffs, calls, log, end, story, play }
}

export const until = async (check: () => boolean, ms = 15_000): Promise<void> => {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}
