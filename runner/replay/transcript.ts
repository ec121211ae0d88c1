/**
 * @module The replay transcript format (../shared/upstream-fixtures/README.md): NDJSON, a
 * `transcript_start` header on line 1, then `expect_outbound`, `emit_inbound` and
 * `runtime_exit` entries. The runner's native log (runner/native-log-file.ts) writes it.
 */
import { z } from 'zod'
import { ReplayParseError } from './errors.ts'

export const FixtureProtocolSchema = z.enum(['codex.app-server', 'claude-agent-sdk.query'])
export type FixtureProtocol = z.infer<typeof FixtureProtocolSchema>

export const TranscriptStartSchema = z.object({
  type: z.literal('transcript_start'),
  provider: z.string(),
  protocol: FixtureProtocolSchema,
  version: z.string(),
  scenario: z.string(),
  metadata: z.record(z.string(), z.unknown()).optional(),
})

export const ExpectOutboundSchema = z.object({ type: z.literal('expect_outbound'), label: z.string().optional(), frame: z.unknown() })
export const EmitInboundSchema = z.object({
  type: z.literal('emit_inbound'),
  label: z.string().optional(),
  frame: z.unknown(),
  afterMs: z.number().nonnegative().optional(),
})
export const RuntimeExitSchema = z.object({
  type: z.literal('runtime_exit'),
  status: z.enum(['success', 'error', 'cancelled']),
  error: z.string().optional(),
})
export const EntrySchema = z.discriminatedUnion('type', [ExpectOutboundSchema, EmitInboundSchema, RuntimeExitSchema])

export type TranscriptHeader = z.infer<typeof TranscriptStartSchema>
/** `line` is the 1-based line in the source file (synthesized entries carry the line they replace). */
export type ExpectOutbound = z.infer<typeof ExpectOutboundSchema> & { line: number }
export type EmitInbound = z.infer<typeof EmitInboundSchema> & { line: number }
export type RuntimeExit = z.infer<typeof RuntimeExitSchema> & { line: number }
export type TranscriptEntry = ExpectOutbound | EmitInbound | RuntimeExit

export type Transcript = { name: string; header: TranscriptHeader; entries: TranscriptEntry[] }

export type ParseResult = { ok: true; transcript: Transcript } | { ok: false; error: ReplayParseError }

const ENTRY_TYPES = new Set(['transcript_start', 'expect_outbound', 'emit_inbound', 'runtime_exit'])

const issueText = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')

/** Parses a transcript; throws `ReplayParseError` naming the file and the 1-based line. Blank lines are skipped. */
export const parseTranscript = (text: string, name: string): Transcript => {
  const lines = text.split('\n')
  let header: TranscriptHeader | undefined
  const entries: TranscriptEntry[] = []
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim()
    const line = i + 1
    if (raw === '') continue
    let value: unknown
    try {
      value = JSON.parse(raw)
    } catch (cause) {
      throw new ReplayParseError(name, line, `bad JSON (${(cause as Error).message})`)
    }
    const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined
    if (typeof type !== 'string' || !ENTRY_TYPES.has(type)) throw new ReplayParseError(name, line, `unknown line type ${JSON.stringify(type)}`)
    if (type === 'transcript_start') {
      if (header !== undefined || entries.length > 0) throw new ReplayParseError(name, line, 'transcript_start is only allowed as the first line')
      const parsed = TranscriptStartSchema.safeParse(value)
      if (!parsed.success) throw new ReplayParseError(name, line, `invalid transcript_start: ${issueText(parsed.error)}`)
      header = parsed.data
      continue
    }
    if (header === undefined) throw new ReplayParseError(name, line, 'missing transcript_start header on the first line')
    const parsed = EntrySchema.safeParse(value)
    if (!parsed.success) throw new ReplayParseError(name, line, `invalid ${type}: ${issueText(parsed.error)}`)
    entries.push({ ...parsed.data, line })
  }
  if (header === undefined) throw new ReplayParseError(name, 1, 'empty transcript')
  return { name, header, entries }
}

/** `parseTranscript` without throwing. */
export const safeParseTranscript = (text: string, name: string): ParseResult => {
  try {
    return { ok: true, transcript: parseTranscript(text, name) }
  } catch (error) {
    if (error instanceof ReplayParseError) return { ok: false, error }
    throw error
  }
}

/** Serializes entries back to NDJSON (without `line`), header first. Keys keep their insertion order. */
export const formatTranscript = (header: TranscriptHeader, entries: readonly TranscriptEntry[]): string =>
  [header, ...entries.map(({ line: _line, ...rest }) => rest)].map((v) => JSON.stringify(v)).join('\n') + '\n'
