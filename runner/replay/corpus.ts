/**
 * @module Where the upstream transcript corpus lives: `LOOM_UPSTREAM_FIXTURES`, default
 * `../shared/upstream-fixtures` relative to the repository root. For tests.
 */
import { existsSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..')

export const upstreamCorpusDir = (): string => resolve(repoRoot, process.env.LOOM_UPSTREAM_FIXTURES ?? '../shared/upstream-fixtures')

/** `<scenario>/<provider>_transcript.ndjson` files of the given providers, sorted; throws if the corpus is absent. */
export const corpusTranscripts = (providers: readonly string[] = ['codex', 'claude']): { scenario: string; provider: string; path: string }[] => {
  const dir = upstreamCorpusDir()
  if (!existsSync(dir)) throw new Error(`upstream corpus not found at ${dir} (set LOOM_UPSTREAM_FIXTURES)`)
  const out: { scenario: string; provider: string; path: string }[] = []
  for (const scenario of readdirSync(dir).sort()) {
    for (const provider of providers) {
      const path = join(dir, scenario, `${provider}_transcript.ndjson`)
      if (existsSync(path)) out.push({ scenario, provider, path })
    }
  }
  return out
}
