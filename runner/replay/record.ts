/**
 * @module Turns a native log (runner/native-log-file.ts) into a fixture: joins its rotated
 * parts oldest first, drops the per-part headers and `metadata.part`, normalizes every frame
 * (one normalizer over the whole stream, so ids keep their correlation) and, separately, the
 * header's metadata, and writes key-sorted JSON lines. The output depends only on the frames, so
 * recording the same session twice gives identical bytes.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { ReplayParseError } from './errors.ts'
import { createNormalizer, stableStringify, type NormalizerOptions } from './normalize.ts'
import { parseTranscript, type Transcript, type TranscriptEntry, type TranscriptHeader } from './transcript.ts'

export type RecordOptions = {
  /** Overrides the header's scenario (a live log says e.g. `live`). */
  scenario?: string
  /** Replaces the header metadata (default: the log's, normalized, without `part`). */
  metadata?: Record<string, unknown>
  normalize?: NormalizerOptions
}

/** The parts of one native log, oldest first: `name.(N…1).ndjson`, then `name.ndjson`. */
export const nativeLogParts = (dir: string, name: string): string[] => {
  const parts: string[] = []
  for (let i = 1; existsSync(join(dir, `${name}.${i}.ndjson`)); i++) parts.unshift(join(dir, `${name}.${i}.ndjson`))
  const newest = join(dir, `${name}.ndjson`)
  if (existsSync(newest)) parts.push(newest)
  return parts
}

/** Reads and joins the parts of one native log; fails when the oldest part is not part 1 (rotated away). */
export const readNativeLog = (dir: string, name: string): Transcript => {
  const paths = nativeLogParts(dir, name)
  if (paths.length === 0) throw new ReplayParseError(join(dir, `${name}.ndjson`), 1, 'no native log found')
  const parts = paths.map((path) => parseTranscript(readFileSync(path, 'utf8'), path))
  const first = parts[0]!
  const part = first.header.metadata?.part
  if (part !== undefined && part !== 1) throw new ReplayParseError(first.name, 1, `the log starts at part ${String(part)}; earlier parts were rotated away`)
  return { name: join(dir, `${name}.ndjson`), header: first.header, entries: parts.flatMap((p) => p.entries) }
}

/** Normalizes a transcript into fixture text (NDJSON, key-sorted, one trailing newline). */
export const recordFixture = (transcript: Transcript, options: RecordOptions = {}): string => {
  const normalizer = createNormalizer(transcript.header.protocol, options.normalize)
  const { part: _part, ...metadata } = transcript.header.metadata ?? {}
  const header: TranscriptHeader = {
    type: 'transcript_start',
    provider: transcript.header.provider,
    protocol: transcript.header.protocol,
    version: transcript.header.version,
    scenario: options.scenario ?? transcript.header.scenario,
    // Its own normalizer: metadata ids must not shift the numbering of frame ids.
    metadata: options.metadata ?? (createNormalizer(transcript.header.protocol, options.normalize).normalize(metadata) as Record<string, unknown>),
  }
  const lines = [stableStringify(header)]
  for (const entry of transcript.entries) lines.push(stableStringify(normalizeEntry(entry, normalizer.normalize)))
  return `${lines.join('\n')}\n`
}

const normalizeEntry = (entry: TranscriptEntry, normalize: (frame: unknown) => unknown): Record<string, unknown> => {
  const { line: _line, ...rest } = entry
  return rest.type === 'runtime_exit' ? rest : { ...rest, frame: normalize(rest.frame) }
}

/** Reads the native log `dir/name*.ndjson` and writes it as a fixture to `out`. Returns the text written. */
export const recordFixtureFile = (dir: string, name: string, out: string, options: RecordOptions = {}): string => {
  const text = recordFixture(readNativeLog(dir, name), options)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, text)
  return text
}
