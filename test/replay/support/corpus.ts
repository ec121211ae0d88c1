/**
 * @module The upstream corpus for replay tests: read from `LOOM_UPSTREAM_FIXTURES` (default
 * ../shared/upstream-fixtures next to the repository), never copied in. Absent corpus: the
 * suite fails rather than skips.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseTranscript, type Transcript } from '../../../runner/replay/index.ts'
import { ROOT } from '../../../scripts/local-worker.ts'

export const CORPUS = resolve(ROOT, process.env.LOOM_UPSTREAM_FIXTURES ?? '../shared/upstream-fixtures')

export const corpusFile = (scenario: string, provider: 'codex' | 'claude'): string => {
  const file = join(CORPUS, scenario, `${provider}_transcript.ndjson`)
  if (!existsSync(file)) throw new Error(`upstream corpus missing: ${file} (set LOOM_UPSTREAM_FIXTURES)`)
  return file
}

export const corpusTranscript = (scenario: string, provider: 'codex' | 'claude'): Transcript => {
  const file = corpusFile(scenario, provider)
  return parseTranscript(readFileSync(file, 'utf8'), file)
}
