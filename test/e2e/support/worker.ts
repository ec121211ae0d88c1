/**
 * @module The real worker for end-to-end tests: bundled once with wrangler (dry-run), then run
 * in-process by Miniflare 5 on 127.0.0.1 with lease and idle times of seconds
 * (notes/workers-toolchain.md §8: an explicit modules list with `modulesRoot`, and
 * `resourcePersistencePath`, since Miniflare 5 drops `durableObjectsPersist`).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Miniflare, convertV4MiniflareOptions } from 'miniflare'

const root = resolve(import.meta.dirname, '..', '..', '..')
/** Our own output folder, so a concurrent `npm run build` into dist/ never races this one. */
const outDir = join(root, 'dist', 'e2e')
const COMPATIBILITY_DATE = '2026-08-15' // as wrangler.toml

export type TestWorker = { url: string; secret: string; dispose: () => Promise<void> }

let built: string[] | null = null

/** Bundles the worker once per test process; returns the modules the bundle imports. */
export const buildWorker = (): string[] => {
  if (built) return built
  for (const dir of ['.config', 'logs', '.tmp']) mkdirSync(join(root, dir), { recursive: true })
  execFileSync(process.execPath, [join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), 'deploy', '--dry-run', '--outdir', outDir], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      XDG_CONFIG_HOME: join(root, '.config'),
      WRANGLER_LOG_PATH: join(root, 'logs'),
    },
  })
  // Only the text modules this bundle imports; older hashed files may sit beside it.
  const source = readFileSync(join(outDir, 'index.js'), 'utf8')
  built = [...source.matchAll(/^import \w+ from "\.\/([^"]+\.sql)";$/gm)].map((m) => m[1]!)
  return built
}

export const startWorker = async (opts: { secret?: string; leaseSeconds?: number; idleSeconds?: number } = {}): Promise<TestWorker> => {
  const sql = buildWorker()
  const secret = opts.secret ?? `e2e-secret-${Date.now()}-0123456789abcdef`
  const persist = mkdtempSync(join(tmpdir(), 'loom-e2e-worker-'))
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port: 0,
      cf: false,
      compatibilityDate: COMPATIBILITY_DATE,
      compatibilityFlags: ['nodejs_compat'],
      resourcePersistencePath: persist,
      modulesRoot: outDir,
      modules: [{ type: 'ESModule', path: join(outDir, 'index.js') }, ...sql.map((f) => ({ type: 'Text' as const, path: join(outDir, f) }))],
      bindings: {
        LOOM_JWT_SECRET: secret,
        LOOM_LEASE_SECONDS: String(opts.leaseSeconds ?? 3),
        LOOM_IDLE_SECONDS: String(opts.idleSeconds ?? 5),
      },
      durableObjects: {
        THREADS: { className: 'ThreadObject', useSQLite: true },
        WORKSPACES: { className: 'WorkspaceObject', useSQLite: true },
      },
    } as Parameters<typeof convertV4MiniflareOptions>[0]),
  )
  const url = (await mf.ready).toString().replace(/\/$/, '')
  return {
    url,
    secret,
    dispose: async () => {
      await mf.dispose()
      rmSync(persist, { recursive: true, force: true })
    },
  }
}
