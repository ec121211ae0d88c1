/**
 * @module Running the project's own wrangler: its entry file (not `npx wrangler`, whose npm exec
 * does not pass Ctrl-C on and would leave workerd behind) and an environment that keeps its
 * files inside the project and its network quiet (notes/workers-toolchain.md §6).
 */
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')

export const WRANGLER_BIN = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js')

/** `process.env` plus wrangler's settings for this machine; creates the folders they name. */
export const wranglerEnv = (): NodeJS.ProcessEnv => {
  for (const dir of ['.config', 'logs', '.tmp']) mkdirSync(join(ROOT, dir), { recursive: true })
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    XDG_CONFIG_HOME: join(ROOT, '.config'),
    WRANGLER_LOG_PATH: join(ROOT, 'logs'),
  }
}
