/**
 * @module `npm run token -- --scopes runner --workspace local [--days 30] [--sub NAME] [--kid K] [--jti ID]`:
 * mints a token with the secret from LOOM_JWT_SECRET or `.dev.vars`; with `--kid`, with that
 * key of LOOM_JWT_KEYS (`{"<kid>":"<secret>"}`), for rotating keys (SECURITY.md).
 */
import { parseArgs } from 'node:util'
import { ensureDevSecret } from './dev-secret.ts'
import { mintToken, type Scope } from './tokens.ts'

const { values } = parseArgs({
  options: {
    scopes: { type: 'string', default: 'read,operate' },
    workspace: { type: 'string', multiple: true, default: ['local'] },
    days: { type: 'string', default: '7' },
    sub: { type: 'string', default: 'user:local' },
    kid: { type: 'string' },
    jti: { type: 'string' },
  },
})
const scopes = values.scopes.split(',').map((s) => s.trim()) as Scope[]
const allowed = new Set(['read', 'operate', 'runner', 'admin'])
const unknown = scopes.filter((s) => !allowed.has(s))
if (unknown.length > 0) {
  console.error(`unknown scope(s): ${unknown.join(', ')}; use read, operate, runner, admin`)
  process.exit(2)
}
const days = Number(values.days)
if (!Number.isFinite(days) || days <= 0) {
  console.error('--days must be a positive number')
  process.exit(2)
}
const kid = values.kid
let secret: string
if (kid === undefined) {
  secret = process.env.LOOM_JWT_SECRET ?? ensureDevSecret()
} else {
  const keys = JSON.parse(process.env.LOOM_JWT_KEYS ?? '{}') as Record<string, unknown>
  const key = keys[kid]
  if (typeof key !== 'string') {
    console.error(`--kid ${kid}: LOOM_JWT_KEYS has no key by that id`)
    process.exit(2)
  }
  secret = key
}
console.log(await mintToken(secret, { sub: values.sub, scopes, workspaces: values.workspace, days, ...(kid === undefined ? {} : { kid }), ...(values.jti === undefined ? {} : { jti: values.jti }) }))
