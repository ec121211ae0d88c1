/**
 * @module `npm run deploy`: the worker to your Cloudflare account with its signing secret.
 * Needs `npx wrangler login` (or CLOUDFLARE_API_TOKEN) once. The secret is read from
 * LOOM_JWT_SECRET when set and stored with `wrangler secret put` (never on a command line);
 * otherwise the one already stored is kept. `--dry-run` builds without uploading.
 */
import { spawn } from 'node:child_process'
import { parseArgs } from 'node:util'
import { WRANGLER_BIN, wranglerEnv } from './wrangler.ts'

const { values } = parseArgs({ options: { 'dry-run': { type: 'boolean', default: false } } })

const wrangler = (args: string[], input?: string) =>
  new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [WRANGLER_BIN, ...args], { env: wranglerEnv(), stdio: [input === undefined ? 'inherit' : 'pipe', 'inherit', 'inherit'] })
    if (input !== undefined) child.stdin!.end(input)
    child.on('exit', (code) => resolve(code ?? 1))
  })

if (values['dry-run']) process.exit(await wrangler(['deploy', '--dry-run', '--outdir', 'dist']))

const secret = process.env.LOOM_JWT_SECRET
// Checked before anything is uploaded: a refused secret must not leave a fresh deploy behind.
if (secret && secret.length < 32) {
  console.error('LOOM_JWT_SECRET must be at least 32 characters (try: openssl rand -hex 32)')
  process.exit(2)
}
const deployed = await wrangler(['deploy'])
if (deployed !== 0) process.exit(deployed)
if (secret) process.exit(await wrangler(['secret', 'put', 'LOOM_JWT_SECRET'], secret))
console.log(
  [
    'Deployed. The worker signs and checks tokens with the secret LOOM_JWT_SECRET:',
    '  first deploy:  LOOM_JWT_SECRET=$(openssl rand -hex 32) npm run deploy   (keep the value to mint tokens)',
    '  later deploys: npm run deploy   (the stored secret is kept)',
  ].join('\n'),
)
