/**
 * The equivalence `fork-rollback-to-fork-last-turn` on the upstream recording
 * thread_fork_native_prior_turn/codex (two turns, thread/fork, then thread/rollback {numTurns: 1}
 * of the fork): a live client that forks once with lastTurnId = the first turn plays the whole
 * recording; a wrong lastTurnId or none leaves the recorded rollback expected. Also the housekeeping
 * frames (thread/unsubscribe, thread/resume) a live Codex client sends that the recording does not have.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { upstreamCorpusDir } from './corpus.ts'
import { createReplayCursor, type ReplayCursor } from './cursor.ts'
import { EQUIVALENCES } from './equivalences.ts'
import { parseTranscript } from './transcript.ts'

type Frame = { id?: number; method?: string; params?: Record<string, unknown>; result?: { thread?: { id: string; turns: { id: string }[] } } }

const transcript = () => {
  const path = 'thread_fork_native_prior_turn/codex_transcript.ndjson'
  return parseTranscript(readFileSync(join(upstreamCorpusDir(), path), 'utf8'), path)
}

const drain = async (cursor: ReplayCursor): Promise<Frame[]> => {
  const frames: Frame[] = []
  for await (const f of cursor.drainInbound()) frames.push(f.frame as Frame)
  return frames
}

const nextTurnStart = (line: number): Frame => {
  const entry = transcript().entries.find((e) => e.line > line && e.type === 'expect_outbound' && (e.frame as Frame).method === 'turn/start')
  return entry!.type === 'expect_outbound' ? (entry!.frame as Frame) : {}
}

/** Plays the recording as a client that forks with `lastTurnId(turns so far)` and never rolls back; live request ids are shifted by 100. */
const play = async (lastTurnId: (turns: string[]) => string | undefined) => {
  const cursor = createReplayCursor(transcript(), { mode: 'compatible' })
  const seen: Frame[] = []
  const turns: string[] = []
  const equivalences: string[] = []
  for (;;) {
    for (const f of await drain(cursor)) {
      seen.push(f)
      if (f.method === 'turn/started') turns.push((f.params!.turn as { id: string }).id)
    }
    const next = cursor.peek()
    if (next === undefined) break
    if (next.type === 'runtime_exit') {
      cursor.takeExit()
      continue
    }
    // The live client never rolls back: where the recording still expects the rollback, it sends its next turn/start.
    const frame = (next.frame as Frame).method === 'thread/rollback' ? nextTurnStart(next.line) : (next.frame as Frame)
    const live: Frame = frame.id === undefined || frame.method === undefined ? frame : { ...frame, id: frame.id + 100 }
    if (frame.method === 'thread/fork') {
      const last = lastTurnId([...new Set(turns)])
      if (last !== undefined) live.params = { ...frame.params, lastTurnId: last }
    }
    const outcome = cursor.expectOutbound(live)
    if (outcome.equivalence) equivalences.push(outcome.equivalence)
  }
  cursor.assertComplete()
  return { seen, equivalences }
}

describe('fork-then-rollback versus fork with lastTurnId (codex)', () => {
  it('is in the built-in table', () => {
    expect(EQUIVALENCES.map((e) => [e.name, e.recorded, e.live])).toContainEqual(['fork-rollback-to-fork-last-turn', 'thread/fork', 'thread/fork'])
  })

  it('plays the recorded fork + rollback for one fork with lastTurnId = the turn the rollback keeps', async () => {
    const { seen, equivalences } = await play((turns) => turns[0])
    expect(equivalences).toEqual(['fork-rollback-to-fork-last-turn'])
    // The fork's answer carries the live id and only the turn through lastTurnId; the rollback's answer (#6) never reaches the client.
    const forked = seen.find((f) => f.id === 105)
    const firstTurn = (seen.find((f) => f.method === 'turn/started')!.params!.turn as { id: string }).id
    expect(forked?.result?.thread?.turns.map((t) => t.id)).toEqual([firstTurn])
    expect(seen.some((f) => f.id === 6 || f.id === 106)).toBe(false)
    // The rest of the recording (the turn on the fork) still plays with remapped ids.
    expect(seen.some((f) => f.id === 107)).toBe(true)
  })

  it('does not apply to a lastTurnId the rollback does not keep: the recorded rollback is then expected', async () => {
    await expect(play((turns) => turns[1])).rejects.toThrow(/UnexpectedOutbound: expected thread\/rollback #6, got turn\/start/)
  })

  it('does not apply to a fork without lastTurnId', async () => {
    await expect(play(() => undefined)).rejects.toThrow(/UnexpectedOutbound: expected thread\/rollback #6, got turn\/start/)
  })
})

describe('a thread/unsubscribe the recording does not have (codex, HOUSEKEEPING_FRAMES)', () => {
  const recording = (status: 'success' | 'error') =>
    parseTranscript(
      [
        { type: 'transcript_start', provider: 'codex', protocol: 'codex.app-server', version: '0.124.0', scenario: 't' },
        { type: 'runtime_exit', status },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n'),
      't.ndjson',
    )
  const unsubscribe = { id: 41, method: 'thread/unsubscribe', params: { threadId: 'thread-a' } }

  it('answers it and keeps the exit in compatible mode', async () => {
    const cursor = createReplayCursor(recording('success'), { mode: 'compatible' })
    expect(cursor.expectOutbound(unsubscribe).equivalence).toBe('unsubscribe-unrecorded')
    expect(await drain(cursor)).toEqual([{ id: 41, result: { status: 'unsubscribed' } }])
    expect(cursor.takeExit()?.status).toBe('success')
    cursor.assertComplete()
  })

  it('answers it before another recorded outbound frame, which still matches after it', async () => {
    const turn = { type: 'expect_outbound', frame: { id: 7, method: 'turn/start', params: {} } }
    const t = parseTranscript(
      [{ type: 'transcript_start', provider: 'codex', protocol: 'codex.app-server', version: '0.124.0', scenario: 't' }, turn].map((l) => JSON.stringify(l)).join('\n'),
      't.ndjson',
    )
    const cursor = createReplayCursor(t, { mode: 'compatible' })
    expect(cursor.expectOutbound(unsubscribe).equivalence).toBe('unsubscribe-unrecorded')
    expect(await drain(cursor)).toEqual([{ id: 41, result: { status: 'unsubscribed' } }])
    expect(cursor.expectOutbound({ id: 42, method: 'turn/start', params: {} }).equivalence).toBeUndefined()
    cursor.assertComplete()
  })

  it('still fails in strict mode, after an error exit, and for another method', () => {
    expect(() => createReplayCursor(recording('success'), { mode: 'strict' }).expectOutbound(unsubscribe)).toThrow(/after the runtime exited/)
    expect(() => createReplayCursor(recording('error'), { mode: 'compatible' }).expectOutbound(unsubscribe)).toThrow(/after the runtime exited/)
    expect(() => createReplayCursor(recording('success'), { mode: 'compatible' }).expectOutbound({ id: 42, method: 'turn/start', params: {} })).toThrow(/after the runtime exited/)
  })
})

describe('a thread/resume of a thread the recording kept loaded (codex, HOUSEKEEPING_FRAMES)', () => {
  const recording = () =>
    parseTranscript(
      [
        { type: 'transcript_start', provider: 'codex', protocol: 'codex.app-server', version: '0.124.0', scenario: 't' },
        { type: 'expect_outbound', frame: { id: 1, method: 'thread/start', params: {} } },
        { type: 'emit_inbound', frame: { id: 1, result: { thread: { id: 'thread-a', preview: 'p', turns: [{ id: 'turn-1' }] }, model: 'm' } } },
        { type: 'expect_outbound', frame: { id: 2, method: 'turn/start', params: { threadId: 'thread-a' } } },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n'),
      't.ndjson',
    )

  it('answers it with the recorded thread, turns left out, and goes on', async () => {
    const cursor = createReplayCursor(recording(), { mode: 'compatible' })
    cursor.expectOutbound({ id: 11, method: 'thread/start', params: {} })
    await drain(cursor)
    expect(cursor.expectOutbound({ id: 12, method: 'thread/resume', params: { threadId: 'thread-a' } }).equivalence).toBe('resume-recorded-thread')
    expect(await drain(cursor)).toEqual([{ id: 12, result: { thread: { id: 'thread-a', preview: 'p', turns: [] }, turnsBackwardsCursor: null, itemsBackwardsCursor: null } }])
    expect(cursor.expectOutbound({ id: 13, method: 'turn/start', params: { threadId: 'thread-a' } }).equivalence).toBeUndefined()
    cursor.assertComplete()
  })

  it('refuses to resume a thread the recording never had', async () => {
    const cursor = createReplayCursor(recording(), { mode: 'compatible' })
    cursor.expectOutbound({ id: 11, method: 'thread/start', params: {} })
    await drain(cursor)
    expect(() => cursor.expectOutbound({ id: 12, method: 'thread/resume', params: { threadId: 'thread-b' } })).toThrow(/UnexpectedOutbound: expected turn\/start #2, got thread\/resume #12/)
  })
})
