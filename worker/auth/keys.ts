/**
 * @module The signing keys tokens may carry, by key id (`kid` in the JWT header). Rotation runs
 * two keys side by side: add the new kid to LOOM_JWT_KEYS, mint with it, revoke the old kid.
 */

/** The kid of LOOM_JWT_SECRET, and of tokens whose header names no kid. */
export const DEFAULT_KID = 'default'

export type Keyring = ReadonlyMap<string, string>

const parsed = new Map<string, Keyring>()

/** LOOM_JWT_KEYS (`{"<kid>":"<secret>"}`) plus LOOM_JWT_SECRET as `default`; parsed once per isolate. */
export const keyringOf = (env: { LOOM_JWT_SECRET?: string; LOOM_JWT_KEYS?: string }): Keyring | null => {
  const cacheKey = `${env.LOOM_JWT_SECRET ?? ''}\u0000${env.LOOM_JWT_KEYS ?? ''}`
  const cached = parsed.get(cacheKey)
  if (cached) return cached
  const ring = new Map<string, string>()
  if (env.LOOM_JWT_SECRET) ring.set(DEFAULT_KID, env.LOOM_JWT_SECRET)
  if (env.LOOM_JWT_KEYS) {
    let keys: unknown
    try {
      keys = JSON.parse(env.LOOM_JWT_KEYS)
    } catch {
      return null
    }
    if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) return null
    for (const [kid, secret] of Object.entries(keys)) {
      // A short secret is a configuration mistake, not a key.
      if (typeof secret !== 'string' || secret.length < 32 || kid === '') return null
      ring.set(kid, secret)
    }
  }
  parsed.set(cacheKey, ring)
  return ring
}
