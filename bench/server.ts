/**
 * @module The two servers under test, each its own Miniflare (so its own workerd process,
 * whose CPU we can read): Loom from the wrangler bundle in dist/, and the bare baseline.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { stripTypeScriptTypes } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Miniflare, convertV4MiniflareOptions } from 'miniflare'
import { workerdChildren } from './cpu.ts'

const COMPATIBILITY_DATE = '2026-08-15' // as wrangler.toml
const root = resolve(import.meta.dirname, '..')

export type Server = { name: string; url: string; pid: number; mf: Miniflare; dispose: () => Promise<void> }

const start = async (name: string, options: Record<string, unknown>): Promise<Server> => {
  const before = new Set(workerdChildren())
  const dir = mkdtempSync(join(tmpdir(), `loom-bench-${name}-`))
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port: 0,
      cf: false,
      compatibilityDate: COMPATIBILITY_DATE,
      compatibilityFlags: ['nodejs_compat'],
      resourcePersistencePath: dir,
      ...(process.env.BENCH_INSPECT ? { inspectorPort: Number(process.env.BENCH_INSPECT), unsafeInspectDurableObjects: true } : {}),
      ...options,
    } as Parameters<typeof convertV4MiniflareOptions>[0]),
  )
  const url = (await mf.ready).toString().replace(/\/$/, '')
  const pid = workerdChildren().find((p) => !before.has(p))
  if (pid === undefined) throw new Error(`no workerd process found for ${name}`)
  return {
    name,
    url,
    pid,
    mf,
    dispose: async () => {
      await mf.dispose()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Loom's bundle: dist/, or another build of it (`distDir`, BENCH_DIST) for A/B comparisons. */
export const startLoom = (secret: string, distDir = process.env.BENCH_DIST): Promise<Server> => {
  const dist = resolve(distDir ?? join(root, 'dist'))
  const sql = readdirSync(dist).filter((f) => f.endsWith('.sql'))
  return start('loom', {
    modulesRoot: dist,
    modules: [{ type: 'ESModule', path: join(dist, 'index.js') }, ...sql.map((f) => ({ type: 'Text', path: join(dist, f) }))],
    bindings: { LOOM_JWT_SECRET: secret, LOOM_METER_SQL: '1', LOOM_LEASE_SECONDS: '300', LOOM_IDLE_SECONDS: '3600' },
    durableObjects: {
      THREADS: { className: 'ThreadObject', useSQLite: true },
      WORKSPACES: { className: 'WorkspaceObject', useSQLite: true },
    },
  })
}

export const startBaseline = (): Promise<Server> => {
  const path = join(root, 'bench', 'baseline.ts')
  // Node marks stripTypeScriptTypes experimental; its one-time warning is noise here.
  const emitWarning = process.emitWarning
  process.emitWarning = () => {}
  const contents = stripTypeScriptTypes(readFileSync(path, 'utf8'))
  process.emitWarning = emitWarning
  return start('baseline', {
    modulesRoot: join(root, 'bench'),
    modules: [{ type: 'ESModule', path: join(root, 'bench', 'baseline.js'), contents }],
    durableObjects: { BASE: { className: 'BaselineObject', useSQLite: true } },
  })
}
