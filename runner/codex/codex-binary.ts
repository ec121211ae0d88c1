/** @module Locates the pinned native `codex` binary installed from npm. */
import { createRequire } from 'node:module'
import path from 'node:path'

const PLATFORM_PACKAGES: Record<string, { pkg: string; triple: string }> = {
  'linux-x64': { pkg: '@openai/codex-linux-x64', triple: 'x86_64-unknown-linux-musl' },
  'linux-arm64': { pkg: '@openai/codex-linux-arm64', triple: 'aarch64-unknown-linux-musl' },
  'darwin-x64': { pkg: '@openai/codex-darwin-x64', triple: 'x86_64-apple-darwin' },
  'darwin-arm64': { pkg: '@openai/codex-darwin-arm64', triple: 'aarch64-apple-darwin' },
}

/**
 * Absolute path of the native binary vendored by the pinned `@openai/codex` package.
 * We spawn it directly rather than through `bin/codex.js`, so the process we signal and
 * whose stdio we read is Codex itself, not a Node shim.
 */
export function codexBinaryPath(): string {
  const target = PLATFORM_PACKAGES[`${process.platform}-${process.arch}`]
  if (!target) throw new Error(`codex: unsupported platform ${process.platform}-${process.arch}`)
  const fromShim = createRequire(createRequire(import.meta.url).resolve('@openai/codex/package.json'))
  const platformRoot = path.dirname(fromShim.resolve(`${target.pkg}/package.json`))
  return path.join(platformRoot, 'vendor', target.triple, 'bin', 'codex')
}
