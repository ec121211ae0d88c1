/**
 * @module A fork's first run in a Claude session: the options the `query()` is opened with, and
 * the typed refusal of a fork Claude cannot do natively. The SDK's `query` is a stand-in here
 * (it records its options and drains the prompt) because only the open is under test; the
 * real CLI forks in test/e2e/providers/lineage.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Options } from '@anthropic-ai/claude-agent-sdk'
import { afterEach, describe, expect, it } from 'vitest'
import { AdapterError, type TurnStart } from '../adapter.ts'
import type { QueryFn } from './claude-query.ts'
import { ClaudeSession } from './session.ts'
import { Recorder, handle, turnStart } from './testing.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const setup = () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-claude-fork-'))
  dirs.push(dir)
  const opened: Options[] = []
  const queryFn = (({ prompt, options }: { prompt: AsyncIterable<unknown>; options: Options }) => {
    opened.push(options)
    const messages = (async function* () {
      for await (const _ of prompt) {
        // The stand-in answers nothing; the prompt ends when the session closes.
      }
    })()
    return Object.assign(messages, { interrupt: async () => undefined, close: () => undefined })
  }) as unknown as QueryFn
  const recorder = new Recorder()
  const session = new ClaudeSession(recorder.options({ cwd: dir, stateDir: dir, providerEnv: {} }), { queryFn })
  return { session, recorder, opened }
}

const forkStart = (source: TurnStart['providerThread']): TurnStart => ({
  ...turnStart('in the fork'),
  fork: { transferId: 'transfer-1' as never, sourceThreadId: 'thread-0' as never, checkpointRef: null, providerThread: source, throughNativeTurnRef: 'turn:a' },
})

describe('a Claude fork', () => {
  it('should open a new session by resuming the source with forkSession at the fork head', async () => {
    const { session, recorder, opened } = setup()
    await session.startTurn(forkStart({ ...handle('source-session', 'assistant-1'), id: 'pt-source' as never }))
    expect(opened).toHaveLength(1)
    const options = opened[0] as Options
    expect(options).toMatchObject({ resume: 'source-session', forkSession: true, resumeSessionAt: 'assistant-1' })
    expect(options.sessionId).toMatch(/^[0-9a-f-]{36}$/)
    // Loom chose the fork's id up front: the run is bound to it, starting from the fork head.
    expect(recorder.of('provider-thread.bound')).toEqual([expect.objectContaining({ nativeThreadId: options.sessionId, nativeConversationHeadRef: 'assistant-1' })])
    // The native log records the fork options, so the run can be replayed.
    expect(recorder.frames.find((f) => f.dir === 'out')?.frame).toMatchObject({ type: 'query.open', options: { resume: 'source-session', forkSession: true, resumeSessionAt: 'assistant-1' } })
    await session.close('manual_shutdown')
  })

  it.each([
    ['a Codex conversation', { ...handle('codex-thread'), provider: 'codex' as const }],
    ['a fork point with no assistant message', handle('source-session', null)],
  ])('should refuse %s with a typed capability error, opening nothing', async (_name, source) => {
    const { session, opened } = setup()
    const error = await session.startTurn(forkStart(source)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AdapterError)
    expect((error as AdapterError).failure).toMatchObject({ class: 'validation_error', code: 'capability_unsupported' })
    expect(opened).toEqual([])
  })
})
