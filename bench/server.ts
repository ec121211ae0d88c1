/**
 * @module The two servers under test, each its own Miniflare (so its own workerd process,
 * whose CPU we can read): Loom from the wrangler bundle in dist/, and the bare baseline.
 */
import { readFileSync } from 'node:fs'
import { stripTypeScriptTypes } from 'node:module'
import { join, resolve } from 'node:path'
import type { Miniflare } from 'miniflare'
import { loomWorkerOptions, startMiniflare } from '../scripts/local-worker.ts'
import { workerdChildren } from './cpu.ts'

const root = resolve(import.meta.dirname, '..')

export type Server = { name: string; url: string; pid: number; mf: Miniflare; dispose: () => Promise<void> }

const start = async (name: string, options: Parameters<typeof startMiniflare>[1]): Promise<Server> => {
  const before = new Set(workerdChildren())
  const server = await startMiniflare(`bench-${name}`, {
    ...(process.env.BENCH_INSPECT ? { inspectorPort: Number(process.env.BENCH_INSPECT), unsafeInspectDurableObjects: true } : {}),
    ...options,
  })
  const pid = workerdChildren().find((p) => !before.has(p))
  if (pid === undefined) throw new Error(`no workerd process found for ${name}`)
  return { name, url: server.url, pid, mf: server.mf, dispose: server.dispose }
}

/** Loom's bundle: dist/, or another build of it (`distDir`, BENCH_DIST) for A/B comparisons. */
export const startLoom = (secret: string, distDir = process.env.BENCH_DIST): Promise<Server> => {
  const dist = resolve(distDir ?? join(root, 'dist'))
  // Rate limits off: the benchmark drives one thread far past any per-thread limit on purpose.
  return start('loom', loomWorkerOptions(dist, { LOOM_JWT_SECRET: secret, LOOM_METER_SQL: '1', LOOM_LEASE_SECONDS: '300', LOOM_IDLE_SECONDS: '3600', LOOM_RATE_THREAD_PER_MINUTE: '0', LOOM_RATE_TOKEN_PER_MINUTE: '0' }))
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
