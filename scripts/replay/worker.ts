/**
 * @module The bundled worker for replays: built once per process into `dist/replay` (its own
 * folder, so it never races `npm run build` or the e2e bundle), then one fresh Miniflare on
 * 127.0.0.1 per replay, so thread and workspace ids can be fixed and event logs compared.
 */
import { join } from 'node:path'
import { ROOT, bundleWorker, loomWorkerOptions, startMiniflare } from '../local-worker.ts'

const outDir = join(ROOT, 'dist', 'replay')
let built = false

/** `logs`: the worker's console output, kept here so it never mixes with a CLI's stdout. */
export type ReplayWorker = { url: string; secret: string; logs: string[]; dispose: () => Promise<void> }

export const startReplayWorker = async (): Promise<ReplayWorker> => {
  if (!built) {
    bundleWorker(outDir)
    built = true
  }
  const secret = 'replay-secret-0123456789abcdef0123456789'
  const logs: string[] = []
  const server = await startMiniflare('replay', {
    ...loomWorkerOptions(outDir, { LOOM_JWT_SECRET: secret, LOOM_LEASE_SECONDS: '10', LOOM_IDLE_SECONDS: '600' }),
    handleStructuredLogs: (log) => void logs.push(`${log.level}: ${log.message}`),
  })
  return { url: server.url, secret, logs, dispose: server.dispose }
}
