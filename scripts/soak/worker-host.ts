/**
 * @module The worker for the soak: the bundle in Miniflare on a fixed loopback port with its
 * state persisted in a directory, so `restart()` can dispose the process and start it again on
 * the same state and port (every socket drops, as on a Cloudflare deploy).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Miniflare, convertV4MiniflareOptions } from 'miniflare'
import { COMPATIBILITY_DATE, ROOT, bundleWorker, loomWorkerOptions } from '../local-worker.ts'

type V4Options = Parameters<typeof convertV4MiniflareOptions>[0]

/** `log` gets the worker's console output (it would otherwise go to this process's stdout). */
export type WorkerHostOptions = { secret: string; leaseSeconds: number; idleSeconds: number; log: (line: string) => void }

/** A free loopback port, found by binding port 0 and closing it again. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })

export class WorkerHost {
  readonly url: string
  readonly port: number
  private readonly persist: string
  private readonly options: Partial<V4Options>
  private mf: Miniflare | null = null
  restarts = 0

  private constructor(port: number, persist: string, options: Partial<V4Options>) {
    this.port = port
    this.url = `http://127.0.0.1:${port}`
    this.persist = persist
    this.options = options
  }

  /** Bundles the worker into dist/soak and starts it. */
  static async start(opts: WorkerHostOptions): Promise<WorkerHost> {
    const outDir = join(ROOT, 'dist', 'soak')
    bundleWorker(outDir)
    const options = loomWorkerOptions(outDir, {
      LOOM_JWT_SECRET: opts.secret,
      LOOM_LEASE_SECONDS: String(opts.leaseSeconds),
      LOOM_IDLE_SECONDS: String(opts.idleSeconds),
    })
    const withLogs = { ...options, handleStructuredLogs: (entry: { level: string; message: string }) => opts.log(`${entry.level} ${entry.message}`) }
    const host = new WorkerHost(await freePort(), mkdtempSync(join(tmpdir(), 'loom-soak-state-')), withLogs)
    await host.boot()
    return host
  }

  private async boot(): Promise<void> {
    const mf = new Miniflare(
      convertV4MiniflareOptions({
        host: '127.0.0.1',
        port: this.port,
        cf: false,
        compatibilityDate: COMPATIBILITY_DATE,
        compatibilityFlags: ['nodejs_compat'],
        resourcePersistencePath: this.persist,
        ...this.options,
      } as V4Options),
    )
    await mf.ready
    this.mf = mf
  }

  /** Whether a process is up (false only inside a restart). */
  get running(): boolean {
    return this.mf !== null
  }

  /** Disposes the process (every socket drops) and starts it again on the same state and port. */
  async restart(downMs = 0): Promise<void> {
    await this.mf?.dispose()
    this.mf = null
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs))
    for (let attempt = 0; ; attempt++) {
      try {
        await this.boot()
        break
      } catch (error) {
        // The port may linger for a moment after the old process went away.
        if (attempt >= 20) throw error
        await new Promise((r) => setTimeout(r, 250))
      }
    }
    this.restarts++
  }

  /** Bytes of the persisted SQLite files and of their WAL, by the folder that holds them (one per object class). */
  storage(): Map<string, { files: number; bytes: number; walBytes: number }> {
    const out = new Map<string, { files: number; bytes: number; walBytes: number }>()
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name)
        if (entry.isDirectory()) walk(path)
        else if (/\.sqlite(-wal)?$/.test(entry.name)) {
          const key = dir.slice(this.persist.length + 1)
          const sum = out.get(key) ?? { files: 0, bytes: 0, walBytes: 0 }
          const size = statSync(path).size
          if (entry.name.endsWith('.sqlite')) {
            sum.files++
            sum.bytes += size
          } else sum.walBytes += size
          out.set(key, sum)
        }
      }
    }
    walk(this.persist)
    return out
  }

  async dispose(): Promise<void> {
    await this.mf?.dispose()
    this.mf = null
    rmSync(this.persist, { recursive: true, force: true })
  }
}
