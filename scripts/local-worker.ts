/**
 * @module Loom's worker on this machine, from Node: bundled with wrangler (dry-run) and run by
 * Miniflare 5 on 127.0.0.1. Shared by the end-to-end tests, the benchmark and other harnesses.
 * Miniflare 5 needs an explicit modules list with `modulesRoot`, and `resourcePersistencePath`
 * (it drops `durableObjectsPersist`): notes/workers-toolchain.md §8.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Miniflare, convertV4MiniflareOptions } from 'miniflare'
import { UI_DIST, buildUi } from './build-ui.ts'
import { WRANGLER_BIN, wranglerEnv } from './wrangler.ts'

export const ROOT = resolve(import.meta.dirname, '..')
/** As wrangler.toml. */
export const COMPATIBILITY_DATE = '2026-08-15'

type V4Options = Parameters<typeof convertV4MiniflareOptions>[0]

/** Bundles the worker into `outDir` (wrangler's dry-run deploy, no network). */
export const bundleWorker = (outDir: string): void => {
  buildUi()
  execFileSync(process.execPath, [WRANGLER_BIN, 'deploy', '--dry-run', '--outdir', outDir], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: wranglerEnv() })
}

/** The Miniflare options that run a bundle in `dist`: its entry, the SQL text modules it imports, both objects. */
export const loomWorkerOptions = (dist: string, bindings: Record<string, string>): Partial<V4Options> => {
  // Only the text modules this bundle imports; older hashed files may sit beside it.
  const source = readFileSync(join(dist, 'index.js'), 'utf8')
  const sql = [...source.matchAll(/^import \w+ from "\.\/([^"]+\.sql)";$/gm)].map((m) => m[1]!)
  return {
    modulesRoot: dist,
    modules: [{ type: 'ESModule', path: join(dist, 'index.js') }, ...sql.map((f) => ({ type: 'Text' as const, path: join(dist, f) }))],
    bindings,
    // As wrangler.toml's [assets]: the UI's files, the API always to the worker.
    assets: {
      directory: UI_DIST,
      binding: 'ASSETS',
      run_worker_first: ['/v1/*'],
      routerConfig: { has_user_worker: true },
      assetConfig: { not_found_handling: 'single-page-application' },
    },
    durableObjects: {
      THREADS: { className: 'ThreadObject', useSQLite: true },
      WORKSPACES: { className: 'WorkspaceObject', useSQLite: true },
      TOKEN_GUARDS: { className: 'TokenGuard', useSQLite: true },
    },
  }
}

export type LocalServer = { url: string; mf: Miniflare; dispose: () => Promise<void> }

/** Starts a Miniflare on 127.0.0.1 (port 0) with state in a fresh temp dir, removed on dispose. */
export const startMiniflare = async (name: string, options: Partial<V4Options>): Promise<LocalServer> => {
  const persist = mkdtempSync(join(tmpdir(), `loom-${name}-`))
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port: 0,
      cf: false,
      compatibilityDate: COMPATIBILITY_DATE,
      compatibilityFlags: ['nodejs_compat'],
      resourcePersistencePath: persist,
      ...options,
    } as V4Options),
  )
  const url = (await mf.ready).toString().replace(/\/$/, '')
  return {
    url,
    mf,
    dispose: async () => {
      await mf.dispose()
      rmSync(persist, { recursive: true, force: true })
    },
  }
}
