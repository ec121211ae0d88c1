/** @module Writes runner/generated/codex/ from the pinned `codex app-server generate-ts`. */
import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderCodexTypes } from '../runner/codex/generate-types.ts'

const target = fileURLToPath(new URL('../runner/generated/codex/', import.meta.url))

const { version, files } = await renderCodexTypes()
// Start from an empty folder so types removed upstream disappear here too.
await rm(target, { recursive: true, force: true })
for (const [rel, content] of files) {
  const file = path.join(target, rel)
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, content)
}
console.log(`wrote ${files.size} files from ${version} to ${path.relative(process.cwd(), target) || target}`)
