import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { upstreamCorpusDir } from './corpus.ts'
import { createReplayCursor, type ReplayCursor } from './cursor.ts'
import { ReplayFrameMismatchError, ReplayUnexpectedOutboundError } from './errors.ts'
import { sideBySideFrames, unifiedFrameDiff } from './diff.ts'
import { parseTranscript, type Transcript } from './transcript.ts'

const codex = (lines: object[]): Transcript =>
  parseTranscript(
    [{ type: 'transcript_start', provider: 'codex', protocol: 'codex.app-server', version: '0.169.0', scenario: 't' }, ...lines].map((l) => JSON.stringify(l)).join('\n'),
    't.ndjson',
  )

const drain = async (cursor: ReplayCursor) => {
  const frames: unknown[] = []
  for await (const f of cursor.drainInbound()) frames.push(f.frame)
  return frames
}

const corpus = (path: string) => parseTranscript(readFileSync(join(upstreamCorpusDir(), path), 'utf8'), path)

describe('strict mode', () => {
  it('should fail a differing frame with both frames and a unified diff', () => {
    const cursor = createReplayCursor(
      codex([{ type: 'expect_outbound', frame: { id: 3, method: 'turn/start', params: { threadId: 'a', input: [{ type: 'text', text: 'hello' }], model: 'gpt-5.4' } } }]),
      { mode: 'strict' },
    )
    const actual = { id: 3, method: 'turn/start', params: { threadId: 'a', input: [{ type: 'text', text: 'hullo' }], model: 'gpt-5.4' } }
    let error: unknown
    try {
      cursor.expectOutbound(actual)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ReplayFrameMismatchError)
    const mismatch = error as ReplayFrameMismatchError
    expect(mismatch.kind).toBe('FrameMismatch')
    expect(mismatch.line).toBe(2)
    expect(mismatch.actual).toEqual(actual)
    expect(mismatch.diff).toContain('-         "text": "hello",')
    expect(mismatch.diff).toContain('+         "text": "hullo",')
    expect(mismatch.message).toContain('transcript line 2')
    expect(sideBySideFrames(mismatch.expected, mismatch.actual)).toMatch(/"hello",.*!\s*$/m)
  })

  it('should accept frames that differ only in normalized fields', () => {
    const cursor = createReplayCursor(
      codex([{ type: 'expect_outbound', frame: { id: 1, method: 'initialize', params: { clientInfo: { name: 'loom', version: '0.1.0' } } } }]),
      { mode: 'strict' },
    )
    expect(() => cursor.expectOutbound({ method: 'initialize', id: 1, params: { clientInfo: { version: '9.9.9', name: 'loom' } } })).not.toThrow()
    expect(unifiedFrameDiff({ a: 1 }, { a: 1 })).toBe('')
  })
})

describe('compatible mode', () => {
  it('should remap JSON-RPC ids both ways: our requests get our ids, server requests keep theirs', async () => {
    const cursor = createReplayCursor(
      codex([
        { type: 'expect_outbound', frame: { id: 1, method: 'initialize', params: { clientInfo: { name: 't3code' } } } },
        { type: 'emit_inbound', frame: { id: 1, result: { userAgent: 'x' } } },
        { type: 'expect_outbound', frame: { method: 'initialized' } },
        { type: 'expect_outbound', frame: { id: 2, method: 'turn/start', params: {} } },
        { type: 'emit_inbound', frame: { id: 2, result: { turn: { id: 't1' } } } },
        { type: 'emit_inbound', frame: { id: 0, method: 'item/commandExecution/requestApproval', params: {} } },
        { type: 'expect_outbound', frame: { id: 0, result: { decision: 'accept' } } },
        { type: 'emit_inbound', frame: { method: 'turn/completed', params: {} } },
      ]),
      { mode: 'compatible' },
    )
    cursor.expectOutbound({ id: 'loom-1', method: 'initialize', params: { clientInfo: { name: 'loom' } } })
    expect(await drain(cursor)).toEqual([{ id: 'loom-1', result: { userAgent: 'x' } }])
    cursor.expectOutbound({ method: 'initialized' })
    cursor.expectOutbound({ id: 'loom-2', method: 'turn/start', params: { other: true } })
    expect(await drain(cursor)).toEqual([
      { id: 'loom-2', result: { turn: { id: 't1' } } },
      { id: 0, method: 'item/commandExecution/requestApproval', params: {} },
    ])
    expect(() => cursor.expectOutbound({ id: 7, result: { decision: 'accept' } })).toThrow(/response to server request #7, expected a response to #0/)
    cursor.expectOutbound({ id: 0, result: { decision: 'acceptForSession' } })
    expect(await drain(cursor)).toEqual([{ method: 'turn/completed', params: {} }])
    cursor.assertComplete()
  })

  it('should fail on an unexpected outbound method', () => {
    const cursor = createReplayCursor(codex([{ type: 'expect_outbound', frame: { id: 1, method: 'thread/start', params: {} } }]), { mode: 'compatible' })
    expect(() => cursor.expectOutbound({ id: 1, method: 'thread/resume', params: {} })).toThrow(ReplayUnexpectedOutboundError)
    expect(() => cursor.expectOutbound({ id: 1, method: 'thread/resume', params: {} })).toThrow(/expected thread\/start #1, got thread\/resume #1/)
  })

  it('should replay the upstream thread/rollback recording to a client that sends thread/revert', async () => {
    const transcript = corpus('thread_rollback/codex_transcript.ndjson')
    const cursor = createReplayCursor(transcript, { mode: 'compatible' })
    const seen: unknown[] = []
    const turnIds: string[] = []
    let revertId: number | undefined
    for (;;) {
      for (const frame of await drain(cursor)) {
        seen.push(frame)
        const f = frame as { method?: string; params?: { turn?: { id: string } } }
        if (f.method === 'turn/started') turnIds.push(f.params!.turn!.id)
      }
      const next = cursor.peek()
      if (next === undefined) break
      if (next.type === 'runtime_exit') {
        cursor.takeExit()
        continue
      }
      const frame = next.frame as { id?: number; method?: string; params?: { threadId: string; numTurns: number } }
      if (frame.method === 'thread/rollback') {
        revertId = 500
        const outcome = cursor.expectOutbound({ id: revertId, method: 'thread/revert', params: { threadId: frame.params!.threadId, beforeTurnId: turnIds.at(-frame.params!.numTurns) } })
        expect(outcome.equivalence).toBe('rollback-to-revert')
      } else cursor.expectOutbound(frame.id === undefined ? frame : { ...frame, id: frame.id + 100 })
    }
    cursor.assertComplete()
    const reverted = seen.findIndex((f) => (f as { method?: string }).method === 'thread/reverted')
    expect(reverted).toBeGreaterThan(0)
    expect(seen[reverted + 1]).toMatchObject({ id: 500, result: { thread: { turns: [] }, turnsBackwardsCursor: null } })
    expect(seen.some((f) => (f as { id?: unknown }).id === 5)).toBe(false)
    expect(seen.filter((f) => (f as { id?: unknown }).id === 106)).toHaveLength(1)
  })

  it('should refuse a thread/revert that drops the wrong turn', async () => {
    const cursor = createReplayCursor(corpus('thread_rollback/codex_transcript.ndjson'), { mode: 'compatible' })
    for (;;) {
      await drain(cursor)
      const next = cursor.peek()
      if (next?.type !== 'expect_outbound') throw new Error('no rollback found')
      const frame = next.frame as { method: string; params: { threadId: string } }
      if (frame.method === 'thread/rollback') {
        expect(() => cursor.expectOutbound({ id: 9, method: 'thread/revert', params: { threadId: frame.params.threadId, beforeTurnId: 'nope' } })).toThrow(
          /rollback-to-revert: thread\/revert beforeTurnId nope/,
        )
        return
      }
      cursor.expectOutbound(next.frame)
    }
  })

  it('should accept a Claude query.open {resume, forkSession, resumeSessionAt} for session.fork + session.forked + query.open', async () => {
    const transcript = corpus('thread_fork_native/claude_transcript.ndjson')
    const cursor = createReplayCursor(transcript, { mode: 'compatible' })
    let forks = 0
    for (;;) {
      const frames = await drain(cursor)
      expect(frames.some((f) => (f as { type?: string }).type === 'session.forked')).toBe(false)
      const next = cursor.peek()
      if (next === undefined) break
      if (next.type === 'runtime_exit') {
        cursor.takeExit()
        continue
      }
      const frame = next.frame as { type: string; sessionId?: string; options?: { upToMessageId?: string } }
      if (frame.type === 'session.fork') {
        forks++
        const outcome = cursor.expectOutbound({ type: 'query.open', options: { resume: frame.sessionId, forkSession: true, resumeSessionAt: frame.options?.upToMessageId } })
        expect(outcome).toMatchObject({ equivalence: 'fork-to-resume-fork', consume: 3 })
      } else cursor.expectOutbound(next.frame)
    }
    cursor.assertComplete()
    expect(forks).toBeGreaterThan(0)
  })
})

describe('a corrupted recording in compatible mode', () => {
  /** Plays the original recording's outbound frames as the client against `recording`. */
  const play = async (client: Transcript, recording: Transcript) => {
    const cursor = createReplayCursor(recording, { mode: 'compatible' })
    for (const entry of client.entries) {
      await drain(cursor)
      if (entry.type === 'expect_outbound') cursor.expectOutbound(entry.frame)
      else if (entry.type === 'runtime_exit') cursor.takeExit()
    }
    await drain(cursor)
    cursor.assertComplete()
  }
  const original = corpus('simple/codex_transcript.ndjson')
  const text = readFileSync(join(upstreamCorpusDir(), 'simple/codex_transcript.ndjson'), 'utf8').trimEnd().split('\n')

  it('should pass uncorrupted', async () => {
    await expect(play(original, original)).resolves.toBeUndefined()
  })

  it('should fail when an outbound line is missing', async () => {
    const recording = parseTranscript(text.filter((l) => !l.includes('"label":"initialized"')).join('\n'), 'corrupt')
    await expect(play(original, recording)).rejects.toThrow(/UnexpectedOutbound: expected thread\/start #2, got initialized/)
  })

  it('should fail with Incomplete when recorded entries are left', async () => {
    const extra = JSON.stringify({ type: 'expect_outbound', frame: { id: 9, method: 'turn/interrupt', params: {} } })
    const recording = parseTranscript([...text, extra].join('\n'), 'corrupt')
    await expect(play(original, recording)).rejects.toThrow(/Incomplete: 1 recorded entries left unconsumed:\n {2}line 32: expect_outbound turn\/interrupt #9/)
  })
})
