/** @module Drift check: committed runner/generated/codex/ equals a fresh generate-ts of the pinned binary. */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { listFiles, renderCodexTypes } from './generate-types.ts'

const committedDir = fileURLToPath(new URL('../generated/codex/', import.meta.url))

describe('runner/generated/codex', () => {
  it('should equal the output of the installed codex app-server generate-ts', async () => {
    const { version, files } = await renderCodexTypes()
    const committed = new Set(await listFiles(committedDir))
    const drift: string[] = []
    for (const [rel, content] of files) {
      if (!committed.has(rel)) drift.push(`missing: ${rel}`)
      else if ((await readFile(committedDir + rel, 'utf8')) !== content) drift.push(`changed: ${rel}`)
    }
    for (const rel of committed) if (!files.has(rel)) drift.push(`extra: ${rel}`)
    expect(drift, `generated types drifted from ${version}; run: npx node scripts/generate-codex-types.ts`).toEqual([])
  }, 30_000)
})
