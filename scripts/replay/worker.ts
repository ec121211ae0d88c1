/**
 * @module The bundled worker for replays: built into `dist/replay` (its own folder, so it never
 * races `npm run build` or the e2e bundle) at most once per process and only when a source
 * changed since the last build (bundle-freshness.ts), then one fresh Miniflare on
 * 127.0.0.1 per replay (or one shared by several, each on its own thread and workspace).
 */
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { UI_DIST } from '../build-ui.ts'
import { ROOT, bundleWorker, loomWorkerOptions, startMiniflare } from '../local-worker.ts'
import { buildStamped, bundleIsCurrent } from './bundle-freshness.ts'

const outDir = join(ROOT, 'dist', 'replay')
let built = false

/** What the bundle depends on beyond its source map: the SQL migrations it imports as text, wrangler.toml, the lockfile. */
const unmappedInputs = (): string[] => [
  ...['thread', 'workspace'].flatMap((db) => readdirSync(join(ROOT, 'drizzle', db), { recursive: true, encoding: 'utf8' }).map((f) => join(ROOT, 'drizzle', db, f))),
  join(ROOT, 'wrangler.toml'),
  join(ROOT, 'package-lock.json'),
]

/** The UI files Miniflare serves beside the bundle are there, and the bundle is as its sources are. */
const upToDate = (): boolean => existsSync(join(UI_DIST, 'index.html')) && bundleIsCurrent(outDir, unmappedInputs())

/** `logs`: the worker's console output, kept here so it never mixes with a CLI's stdout. */
export type ReplayWorker = { url: string; secret: string; logs: string[]; dispose: () => Promise<void> }

/**
 * Bundles the worker for replays (once per process, and only when a source changed since the
 * last bundle). A parent that bundled already (the replay suite's global setup,
 * test/replay/cli.test.ts for its child processes) says so with LOOM_REPLAY_BUNDLED=1.
 */
export const bundleReplayWorker = (): void => {
  if (!built && process.env.LOOM_REPLAY_BUNDLED !== '1' && !upToDate()) buildStamped(outDir, () => bundleWorker(outDir))
  built = true
}

/**
 * `idleSeconds`: how long a thread with no active run keeps its provider session (default 600,
 * never within a replay); a short one lets a recording that restarts the provider replay as an
 * idle release.
 */
export const startReplayWorker = async (opts: { idleSeconds?: number } = {}): Promise<ReplayWorker> => {
  bundleReplayWorker()
  const secret = 'replay-secret-0123456789abcdef0123456789'
  const logs: string[] = []
  const server = await startMiniflare('replay', {
    ...loomWorkerOptions(outDir, { LOOM_JWT_SECRET: secret, LOOM_LEASE_SECONDS: '10', LOOM_IDLE_SECONDS: String(opts.idleSeconds ?? 600) }),
    handleStructuredLogs: (log) => void logs.push(`${log.level}: ${log.message}`),
  })
  return { url: server.url, secret, logs, dispose: server.dispose }
}
