import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { upstreamCorpusDir } from './corpus.ts'
import { ReplayParseError } from './errors.ts'
import { formatTranscript, parseTranscript, safeParseTranscript } from './transcript.ts'

const header = '{"type":"transcript_start","provider":"codex","protocol":"codex.app-server","version":"0.169.0","scenario":"t"}'
const out = '{"type":"expect_outbound","label":"initialize","frame":{"id":1,"method":"initialize"}}'
const inb = '{"type":"emit_inbound","frame":{"id":1,"result":{}},"afterMs":5}'
const exit = '{"type":"runtime_exit","status":"success"}'

const failure = (text: string) => {
  const result = safeParseTranscript(text, 'x.ndjson')
  if (result.ok) throw new Error('expected a parse failure')
  return result.error
}

describe('parseTranscript', () => {
  it('should parse the header and entries with their line numbers', () => {
    const t = parseTranscript([header, out, inb, '', exit, ''].join('\n'), 'x.ndjson')
    expect(t.header.protocol).toBe('codex.app-server')
    expect(t.entries.map((e) => [e.type, e.line])).toEqual([['expect_outbound', 2], ['emit_inbound', 3], ['runtime_exit', 5]])
    expect(t.entries[1]).toMatchObject({ afterMs: 5, frame: { id: 1, result: {} } })
  })

  it('should round-trip through formatTranscript', () => {
    const t = parseTranscript([header, out, inb, exit].join('\n'), 'x')
    expect(parseTranscript(formatTranscript(t.header, t.entries), 'x')).toEqual(t)
  })

  it.each([
    ['an empty file', '', 1, /empty transcript/],
    ['a missing header', `${out}\n${exit}`, 1, /missing transcript_start/],
    ['a header after line 1', `${header}\n${out}\n${header}`, 3, /only allowed as the first line/],
    ['bad JSON', `${header}\n${out}\n{"type":"emit_inbound",`, 3, /bad JSON/],
    ['an unknown line type', `${header}\n{"type":"emit_outbound","frame":{}}`, 2, /unknown line type "emit_outbound"/],
    ['an invalid runtime_exit', `${header}\n{"type":"runtime_exit","status":"crashed"}`, 2, /invalid runtime_exit: status/],
    ['an unknown protocol', header.replace('codex.app-server', 'acp.ndjson-jsonrpc'), 1, /invalid transcript_start: protocol/],
  ])('should reject %s with its line number', (_what, text, line, message) => {
    const error = failure(text)
    expect(error).toBeInstanceOf(ReplayParseError)
    expect(error.kind).toBe('Parse')
    expect(error.line).toBe(line)
    expect(error.message).toMatch(message)
    expect(error.message).toContain(`x.ndjson:${line}:`)
  })

  it('should fail on a corrupted corpus transcript at the corrupted line', () => {
    const lines = readFileSync(join(upstreamCorpusDir(), 'simple/codex_transcript.ndjson'), 'utf8').split('\n')
    lines[6] = lines[6]!.slice(0, 40)
    const error = failure(lines.join('\n'))
    expect(error.line).toBe(7)
  })
})
