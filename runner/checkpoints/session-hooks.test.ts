/**
 * The session host's checkpoint hooks with real git: the turn runs in the thread's worktree,
 * ordinal 0 and the run's checkpoint are reported (the checkpoint before the run's end), the
 * diff goes out, and a rollback restores the files before the session reverts the
 * conversation. The provider is a stand-in (no model behind a unit test): it writes a file in
 * its cwd and ends the turn, as a real agent's session would report it.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CODEX_CAPABILITIES, Effect, type RuntimeEvent } from '../../src/contracts/index.ts'
import type { ProviderAdapter, ProviderSession, SessionOptions } from '../adapter.ts'
import { nullLog } from '../native-log.ts'
import { memoryLogger } from '../console-log.ts'
import { ThreadSessions } from '../sessions/thread-sessions.ts'
import { ThreadCheckpoints, type DiffText } from './thread-checkpoints.ts'
import { checkpointRef } from './refs.ts'
import { worktreePathOf } from './worktree.ts'
import { dirtyRepo, tempDir, userView } from './test-repo.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const writingAdapter = (calls: string[]): ProviderAdapter => ({
  provider: 'codex',
  capabilities: CODEX_CAPABILITIES,
  status: async () => ({ provider: 'codex', state: 'ready', version: '1', auth: 'not_required', models: [], capabilities: null, message: null, checkedAt: 0 }),
  openSession: async (options: SessionOptions): Promise<ProviderSession> => {
    calls.push(`open ${options.cwd}`)
    return {
      startTurn: async (e) => {
        writeFileSync(join(options.cwd, `run-${e.runOrdinal}.txt`), `written in run ${e.runOrdinal}\n`)
        options.emit({ type: 'turn.started', runId: e.runId, attemptId: e.attemptId, nativeTurnId: `nt-${e.runOrdinal}` } as RuntimeEvent)
        setTimeout(() => {
          options.emit({ type: 'turn.completed', runId: e.runId, attemptId: e.attemptId, nativeTurnId: `nt-${e.runOrdinal}`, status: 'completed', failure: null, usage: null, nativeConversationHeadRef: null } as RuntimeEvent)
          options.emit({ type: 'session.started', provider: 'codex', model: null } as RuntimeEvent)
        }, 5)
      },
      steerTurn: async () => undefined,
      interruptTurn: async () => undefined,
      respond: async () => undefined,
      rollback: async (e) => void calls.push(`rollback ${e.nativeTurnRefs.join(',')}`),
      close: async () => undefined,
    }
  },
})

const turnStart = (n: number): Effect =>
  Effect.parse({
    effectId: `effect:t1:${n}`,
    threadId: 't1',
    body: {
      kind: 'turn.start',
      runId: `run:t1:${n}`,
      attemptId: `attempt:t1:${n}`,
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

const setup = (root: string) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'loom-state-'))
  dirs.push(root, stateDir)
  const sent: RuntimeEvent[] = []
  const diffs: DiffText[] = []
  const calls: string[] = []
  const sessions = new ThreadSessions({
    threadId: 't1',
    adapters: new Map([['codex', writingAdapter(calls)]]),
    workspaceRoot: root,
    providersDir: stateDir,
    providerEnv: {},
    sink: { emit: (e) => void sent.push(e), delta: () => undefined, endItem: () => undefined, flushDeltas: () => undefined },
    openLog: () => ({ ...nullLog, close: () => undefined }),
    log: memoryLogger(),
    checkpoints: { files: new ThreadCheckpoints('t1', root), sendDiff: (d) => void diffs.push(d) },
  })
  return { sessions, sent, diffs, calls }
}

const until = async (check: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('the session host with checkpoints', () => {
  it('should run the turn in the worktree, report the checkpoint before the run ends, and roll files back', async () => {
    const root = dirtyRepo()
    const before = userView(root)
    const { sessions, sent, diffs, calls } = setup(root)
    const wt = worktreePathOf(root, 't1')
    expect(await sessions.carryOut(turnStart(1))).toMatchObject({ type: 'effect.completed' })
    await until(() => sent.some((e) => e.type === 'session.started'))
    expect(calls[0]).toBe(`open ${wt}`)
    expect(readFileSync(join(wt, 'run-1.txt'), 'utf8')).toBe('written in run 1\n')
    expect(existsSync(join(root, 'run-1.txt'))).toBe(false)
    expect(sent.map((e) => (e.type === 'checkpoint.captured' ? `checkpoint ${e.appRunOrdinal}` : e.type))).toEqual([
      'workspace.features',
      'checkpoint 0',
      'turn.started',
      'checkpoint 1',
      'turn.completed',
      'session.started',
    ])
    expect(sent.find((e) => e.type === 'workspace.features')).toMatchObject({ checkpoints: 'available' })
    expect(sent.find((e) => e.type === 'checkpoint.captured' && e.appRunOrdinal === 1)).toMatchObject({
      runId: 'run:t1:1',
      ref: checkpointRef('t1', 1),
      files: [{ path: 'run-1.txt', kind: 'added', additions: 1, deletions: 0 }],
    })
    expect(diffs.map((d) => [d.subject, d.text.includes('+written in run 1')])).toEqual([['checkpoint', true]])

    await sessions.carryOut(turnStart(2))
    await until(() => sent.filter((e) => e.type === 'turn.completed').length === 2)
    expect(existsSync(join(wt, 'run-2.txt'))).toBe(true)

    const rollback = Effect.parse({
      effectId: 'effect:t1:rollback',
      threadId: 't1',
      body: { kind: 'thread.rollback', checkpointId: 'cp-1', ref: checkpointRef('t1', 1), appRunOrdinal: 1, providerThread: { id: 'pt-1', provider: 'codex', nativeThreadRef: 'n', nativeConversationHeadRef: null }, nativeTurnRefs: ['nt-2'] },
    })
    expect(await sessions.carryOut(rollback)).toMatchObject({ type: 'effect.completed' })
    expect(existsSync(join(wt, 'run-2.txt'))).toBe(false)
    expect(existsSync(join(wt, 'run-1.txt'))).toBe(true)
    expect(calls.at(-1)).toBe('rollback nt-2')
    expect(userView(root)).toEqual(before)
  })

  it('should still end the run when its checkpoint cannot be captured', async () => {
    const root = dirtyRepo()
    const { sessions, sent } = setup(root)
    const wt = worktreePathOf(root, 't1')
    await sessions.carryOut(turnStart(1))
    // The worktree loses its git link before the capture: the capture fails, the turn's end is not held back.
    rmSync(join(wt, '.git'))
    await until(() => sent.some((e) => e.type === 'session.started'))
    expect(sent.map((e) => (e.type === 'checkpoint.captured' ? `checkpoint ${e.appRunOrdinal}` : e.type))).toEqual([
      'workspace.features',
      'checkpoint 0',
      'turn.started',
      'turn.completed',
      'session.started',
    ])
  })

  it('should report checkpoints unavailable and fail a rollback clearly when the root is not a git repository', async () => {
    const root = tempDir('plain')
    const { sessions, sent, calls } = setup(root)
    await sessions.carryOut(turnStart(1))
    await until(() => sent.some((e) => e.type === 'turn.completed'))
    expect(calls[0]).toBe(`open ${root}`)
    expect(sent.filter((e) => e.type === 'workspace.features' || e.type === 'checkpoint.captured')).toMatchObject([{ type: 'workspace.features', checkpoints: 'unavailable' }])
    const rollback = Effect.parse({
      effectId: 'effect:t1:rollback',
      threadId: 't1',
      body: { kind: 'thread.rollback', checkpointId: 'cp-0', ref: checkpointRef('t1', 0), appRunOrdinal: 0, providerThread: null, nativeTurnRefs: [] },
    })
    expect(await sessions.carryOut(rollback)).toMatchObject({ type: 'effect.failed', failure: { code: 'checkpoints_unavailable' } })
  })
})
