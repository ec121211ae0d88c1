/** When the replay suite's bundle counts as current (scripts/replay/bundle-freshness.ts), on real files in a temp folder. */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BUNDLE_STAMP, buildStamped, bundleIsCurrent } from '../../scripts/replay/bundle-freshness.ts'

let root: string
let out: string
let source: string
let extra: string

/** Sets a file's modification time `seconds` from now. */
const age = (file: string, seconds: number): void => {
  const at = new Date(Date.now() + seconds * 1000)
  utimesSync(file, at, at)
}

/** A "build" that writes a bundle whose source map names `source` (relative to `out`, as esbuild writes it). */
const build = (): void => writeFileSync(join(out, 'index.js.map'), JSON.stringify({ version: 3, sources: ['../src/a.ts', '../node_modules/gone/b.ts'] }))

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'loom-bundle-freshness-'))
  out = join(root, 'out')
  mkdirSync(out)
  mkdirSync(join(root, 'src'))
  source = join(root, 'src', 'a.ts')
  extra = join(root, 'wrangler.toml')
  for (const file of [source, extra]) {
    writeFileSync(file, 'x')
    age(file, -60)
  }
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

describe('bundleIsCurrent', () => {
  it('is false with no bundle or no stamp (a fresh clone), true right after a stamped build', () => {
    expect(bundleIsCurrent(out, [extra])).toBe(false)
    build()
    expect(bundleIsCurrent(out, [extra])).toBe(false)
    buildStamped(out, build)
    expect(bundleIsCurrent(out, [extra])).toBe(true)
  })

  it('is false once a mapped source or an unmapped input changed after the build started, or an input is missing', () => {
    buildStamped(out, build)
    age(source, 5)
    expect(bundleIsCurrent(out, [extra])).toBe(false)
    age(source, -60)
    age(extra, 5)
    expect(bundleIsCurrent(out, [extra])).toBe(false)
    age(extra, -60)
    expect(bundleIsCurrent(out, [extra, join(root, 'missing.sql')])).toBe(false)
    expect(bundleIsCurrent(out, [extra])).toBe(true)
  })

  it('a build that fails leaves no stamp, so the next run builds again', () => {
    buildStamped(out, build)
    expect(() =>
      buildStamped(out, () => {
        throw new Error('wrangler failed')
      }),
    ).toThrow('wrangler failed')
    expect(bundleIsCurrent(out, [extra])).toBe(false)
    writeFileSync(join(out, BUNDLE_STAMP), 'not a time')
    expect(bundleIsCurrent(out, [extra])).toBe(false)
  })
})
