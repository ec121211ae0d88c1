/** Conformance smoke: every codex and claude transcript of the upstream corpus parses and its outbound frames match themselves in both modes. */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { corpusTranscripts, upstreamCorpusDir } from './corpus.ts'
import { replayAgainstItself } from './self-replay.ts'
import { parseTranscript } from './transcript.ts'

// Throws (fails the suite, does not skip) when the corpus is absent.
const files = corpusTranscripts(['codex', 'claude'])

/** The live client numbers its requests differently: compatible mode must remap the recorded responses. */
const shiftRequestIds = (frame: unknown): unknown => {
  const f = frame as { id?: unknown; method?: unknown }
  return typeof f.method === 'string' && typeof f.id === 'number' ? { ...f, id: f.id + 1000 } : frame
}

describe(`the upstream corpus (${upstreamCorpusDir()})`, () => {
  it('should hold codex and claude transcripts', () => {
    expect(files.filter((f) => f.provider === 'codex').length).toBeGreaterThanOrEqual(15)
    expect(files.filter((f) => f.provider === 'claude').length).toBeGreaterThanOrEqual(15)
  })

  it.each(files.map((f) => [`${f.scenario}/${f.provider}`, f.path]))('%s should parse and replay against itself in strict and compatible mode', async (name, path) => {
    const transcript = parseTranscript(readFileSync(path, 'utf8'), name)
    expect(transcript.header.protocol).toBe(transcript.header.provider === 'codex' ? 'codex.app-server' : 'claude-agent-sdk.query')
    const strict = await replayAgainstItself(transcript, { mode: 'strict' })
    expect(strict.outbound).toBe(transcript.entries.filter((e) => e.type === 'expect_outbound').length)

    const requestIds = new Set<unknown>()
    for (const e of transcript.entries) {
      const f = e.type === 'expect_outbound' ? (e.frame as { id?: unknown; method?: unknown }) : undefined
      if (f?.method !== undefined && f.id !== undefined) requestIds.add(f.id)
    }
    const answered: unknown[] = []
    const compatible = await replayAgainstItself(transcript, {
      mode: 'compatible',
      mapOutbound: shiftRequestIds,
      onInbound: ({ frame }) => {
        const f = frame as { id?: unknown; method?: unknown }
        if (f.method === undefined && f.id !== undefined) answered.push(f.id)
      },
    })
    expect(compatible).toEqual(strict)
    // Every response to one of our requests came back with our (shifted) id.
    for (const id of answered) expect(typeof id === 'number' && id < 1000 && requestIds.has(id)).toBe(false)
  })
})
