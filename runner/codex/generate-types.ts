/** @module Renders the Codex app-server protocol types from the pinned binary. */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { codexBinaryPath } from './codex-binary.ts'

const run = promisify(execFile)

const UPSTREAM_HEADER = '// GENERATED CODE! DO NOT MODIFY BY HAND!'

/**
 * `--experimental` is on: the runner initializes with `experimentalApi: true` and needs fields
 * that only the experimental schema carries, e.g. `turn/start.collaborationMode` (plan mode)
 * and `thread/fork.beforeTurnId`. Without the flag those fields are absent from the types.
 */
export const GENERATE_TS_ARGS = ['app-server', 'generate-ts', '--experimental'] as const

/** The rendered protocol: the Codex version it came from and each file by relative path. */
export type RenderedCodexTypes = { version: string; files: Map<string, string> }

/**
 * Runs `codex app-server generate-ts` of the installed binary in a throwaway CODEX_HOME and
 * returns every file with a header naming the Codex version. Deterministic: the same binary
 * renders byte-identical output; file order is sorted.
 */
export async function renderCodexTypes(binary = codexBinaryPath()): Promise<RenderedCodexTypes> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'loom-codex-gen-'))
  try {
    const env = { PATH: process.env.PATH ?? '', CODEX_HOME: path.join(work, 'home'), TMPDIR: path.join(work, 'tmp') }
    await mkdir(env.CODEX_HOME)
    await mkdir(env.TMPDIR)
    const { stdout } = await run(binary, ['--version'], { env })
    const version = stdout.trim()
    const out = path.join(work, 'out')
    await run(binary, [...GENERATE_TS_ARGS, '--out', out], { env })
    const files = new Map<string, string>()
    for (const rel of (await listFiles(out)).sort()) {
      files.set(rel, withHeader(await readFile(path.join(out, rel), 'utf8'), version))
    }
    return { version, files }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

function withHeader(source: string, version: string): string {
  const header = [
    UPSTREAM_HEADER,
    `// Generated from ${version} by \`codex ${GENERATE_TS_ARGS.join(' ')}\`.`,
    '// Regenerate with `npx node scripts/generate-codex-types.ts`; runner/codex/generated-types.test.ts checks it.',
  ].join('\n')
  const body = source.startsWith(UPSTREAM_HEADER) ? source.slice(UPSTREAM_HEADER.length) : `\n${source}`
  return header + body
}

/** Relative paths (with `/`) of every file below `dir`. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
}
