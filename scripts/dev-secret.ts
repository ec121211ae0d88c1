/** @module The local dev secret: generated once into `.dev.vars`, read back every start. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'

export const DEV_VARS = '.dev.vars'

/** Returns LOOM_JWT_SECRET from `.dev.vars`, creating the file with a fresh secret if needed. */
export const ensureDevSecret = (path = DEV_VARS): string => {
  const existing = existsSync(path) ? readFileSync(path, 'utf8') : ''
  const match = existing.match(/^LOOM_JWT_SECRET=(.+)$/m)
  if (match?.[1]) return match[1].trim()
  const secret = randomBytes(32).toString('hex')
  writeFileSync(path, `${existing}${existing && !existing.endsWith('\n') ? '\n' : ''}LOOM_JWT_SECRET=${secret}\n`, { mode: 0o600 })
  return secret
}
