/**
 * @module The Codex replay transport under the real adapter: upstream transcripts replayed in
 * compatible mode through CodexSession and folded by the thread domain must meet the
 * expectation table of the corpus README; a corrupted transcript must fail with both frames.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { NativeLog } from '../native-log.ts'
import { upstreamCorpusDir } from '../replay/corpus.ts'
import { formatTranscript, parseTranscript, ReplayError, type Transcript, type TranscriptEntry } from '../replay/index.ts'
import { explainReplayError } from './replay-transport.ts'
import { replayWorld } from './testing/replay-world.ts'
import { checkUpstreamExpectation } from './testing/upstream-expectations.ts'

/** Reads an upstream transcript; throws (fails, never skips) when the corpus is absent. */
const upstream = (scenario: string): Transcript => {
  const file = path.join(upstreamCorpusDir(), scenario, 'codex_transcript.ndjson')
  return parseTranscript(readFileSync(file, 'utf8'), `${scenario}/codex`)
}

const MUST_PASS = ['simple', 'multi_turn', 'turn_interrupt', 'tool_call_read_only_on_request']

describe('Codex replay transport (upstream corpus, compatible mode)', () => {
  it.each(MUST_PASS)('%s should replay through the adapter and meet the expectation table', async (scenario) => {
    const result = await replayWorld(upstream(scenario), { mode: 'compatible' })
    expect(result.problems).toEqual([])
    expect(checkUpstreamExpectation(scenario, result.projection)).toEqual([])
    expect(result.replay.cursor.remaining()).toEqual([])
  })

  it('simple: one completed run whose assistant says "fixture simple ok"', async () => {
    const { projection } = await replayWorld(upstream('simple'), { mode: 'compatible' })
    expect(projection.runs.map((r) => r.status)).toEqual(['completed'])
    expect(projection.turnItems.map((i) => i.content.type)).toEqual(['user_message', 'assistant_message'])
    expect(projection.turnItems[1]?.content).toMatchObject({ type: 'assistant_message', text: 'fixture simple ok' })
    expect(projection.messages.map((m) => m.text)).toContain('Respond with the following text: fixture simple ok')
  })

  it('tool_call_read_only_on_request: the approval is raised and resolved as recorded (accept)', async () => {
    const { projection } = await replayWorld(upstream('tool_call_read_only_on_request'), { mode: 'compatible' })
    expect(projection.runtimeRequests).toEqual([expect.objectContaining({ kind: 'command', status: 'resolved', response: expect.objectContaining({ decision: 'accept' }) })])
  })

  it('should fail with expected and actual frames side by side when an outbound method is altered', async () => {
    const original = upstream('simple')
    const entries = original.entries.map((e): TranscriptEntry => {
      const frame = e.type === 'runtime_exit' ? undefined : (e.frame as { method?: string })
      return e.type === 'expect_outbound' && frame?.method === 'thread/start' ? { ...e, frame: { ...frame, method: 'thread/resume' } } : e
    })
    const result = await replayWorld({ ...original, entries }, { mode: 'compatible' })
    const failure = result.replay.failure
    expect(failure).toBeInstanceOf(ReplayError)
    expect(failure?.kind).toBe('UnexpectedOutbound')
    const explained = explainReplayError(failure!)
    expect(explained).toContain('transcript line 5')
    expect(explained).toMatch(/expected\s+actual/)
    expect(explained).toMatch(/^ {2}"method": "thread\/resume",\s+!/m)
    expect(explained).toMatch(/^\s+! {3}"method": "thread\/start",/m)
    expect(result.problems[0]).toContain('UnexpectedOutbound')
    // The run never got under way: the adapter saw a broken pipe, the domain a failed start.
    expect(result.projection.runs.every((r) => r.status !== 'completed')).toBe(true)
  })

  it('strict mode should fail on the first frame that differs (another client), with the diff', async () => {
    const result = await replayWorld(upstream('simple'), { mode: 'strict' })
    expect(result.replay.failure?.kind).toBe('FrameMismatch')
    expect(explainReplayError(result.replay.failure!)).toContain('t3code_desktop')
  })

  it('a live session logged during a replay should replay strictly, to the same projection', async () => {
    const source = upstream('multi_turn')
    const entries: TranscriptEntry[] = []
    const line = () => entries.length + 2
    const log: NativeLog = {
      outbound: (frame, label) => entries.push({ type: 'expect_outbound', frame, line: line(), ...(label ? { label } : {}) }),
      inbound: (frame, label) => entries.push({ type: 'emit_inbound', frame, line: line(), ...(label ? { label } : {}) }),
      exit: (status, error) => entries.push({ type: 'runtime_exit', status, line: line(), ...(error ? { error } : {}) }),
    }
    const first = await replayWorld(source, { mode: 'compatible', log })
    expect(first.problems).toEqual([])
    const recorded = parseTranscript(formatTranscript({ ...source.header, scenario: 'multi_turn-live' }, entries), 'multi_turn-live')
    const second = await replayWorld(recorded, { mode: 'strict' })
    expect(second.problems).toEqual([])
    expect(second.world.log).toEqual(first.world.log)
  })
})
