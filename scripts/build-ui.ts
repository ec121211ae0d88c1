/**
 * @module The browser UI's build: ui/main.tsx bundled by esbuild with index.html and the
 * stylesheet into ui/dist, the static assets the worker serves (wrangler.toml `[assets]`).
 * Run by `npm run build:ui`, `npm run dev`, the worker bundle and the tests.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { buildSync } from 'esbuild'

const ROOT = resolve(import.meta.dirname, '..')
export const UI_DIST = join(ROOT, 'ui', 'dist')

/**
 * Builds into a fresh folder beside ui/dist, then renames each file into place: a server that
 * is serving ui/dist meanwhile (another test process) sees the old file or the new, never none.
 */
export const buildUi = (): void => {
  mkdirSync(UI_DIST, { recursive: true })
  const staging = mkdtempSync(join(ROOT, 'ui', '.dist-'))
  try {
    buildSync({
      entryPoints: [join(ROOT, 'ui', 'main.tsx')],
      bundle: true,
      format: 'esm',
      target: 'es2022',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      minify: true,
      sourcemap: 'linked',
      outfile: join(staging, 'app.js'),
      logLevel: 'warning',
    })
    for (const file of ['index.html', 'styles.css']) copyFileSync(join(ROOT, 'ui', file), join(staging, file))
    for (const file of readdirSync(staging)) renameSync(join(staging, file), join(UI_DIST, file))
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
}

if (import.meta.main) buildUi()
