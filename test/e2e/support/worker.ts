/**
 * @module The real worker for end-to-end tests: bundled once per test process, then run by
 * Miniflare on 127.0.0.1 with lease and idle times of seconds (scripts/local-worker.ts).
 */
import { join } from 'node:path'
import { ROOT, bundleWorker, loomWorkerOptions, startMiniflare } from '../../../scripts/local-worker.ts'

/** Our own output folder, so a concurrent `npm run build` into dist/ never races this one. */
const outDir = join(ROOT, 'dist', 'e2e')

export type TestWorker = { url: string; secret: string; dispose: () => Promise<void> }

let built = false

export const buildWorker = (): void => {
  if (built) return
  bundleWorker(outDir)
  built = true
}

export const startWorker = async (opts: { secret?: string; leaseSeconds?: number; idleSeconds?: number } = {}): Promise<TestWorker> => {
  buildWorker()
  const secret = opts.secret ?? `e2e-secret-${Date.now()}-0123456789abcdef`
  const server = await startMiniflare(
    'e2e-worker',
    loomWorkerOptions(outDir, {
      LOOM_JWT_SECRET: secret,
      LOOM_LEASE_SECONDS: String(opts.leaseSeconds ?? 3),
      LOOM_IDLE_SECONDS: String(opts.idleSeconds ?? 5),
    }),
  )
  return { url: server.url, secret, dispose: server.dispose }
}
