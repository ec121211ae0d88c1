/**
 * @module Whether a worker bundle is as its sources are, so the replay suite bundles only after a
 * change: a stamp beside the bundle holds when its build started, and every file the bundle's
 * source map names (that exists here: the worker, src/, dependencies) plus the inputs the map
 * cannot name (SQL text modules, wrangler.toml, the lockfile) must be older. No bundle or no
 * stamp (a fresh clone, a failed build) means a build.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const BUNDLE_STAMP = '.bundle-started'

const modifiedAt = (file: string): number => (existsSync(file) ? statSync(file).mtimeMs : Number.POSITIVE_INFINITY)

/** `inputs`: files the bundle depends on that its source map does not list (a missing one counts as changed). */
export const bundleIsCurrent = (outDir: string, inputs: string[]): boolean => {
  const stamp = join(outDir, BUNDLE_STAMP)
  const map = join(outDir, 'index.js.map')
  if (!existsSync(stamp) || !existsSync(map)) return false
  const started = Number(readFileSync(stamp, 'utf8'))
  const sources = (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources.map((s) => resolve(outDir, s)).filter((f) => existsSync(f))
  return Number.isFinite(started) && sources.length > 0 && [...sources, ...inputs].every((f) => modifiedAt(f) < started)
}

/** Runs `build` (which writes the bundle into `outDir`), stamping the bundle with when it started once it succeeded. */
export const buildStamped = (outDir: string, build: () => void): void => {
  const started = Date.now()
  rmSync(join(outDir, BUNDLE_STAMP), { force: true })
  build()
  writeFileSync(join(outDir, BUNDLE_STAMP), String(started))
}
