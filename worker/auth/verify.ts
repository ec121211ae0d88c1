/** @module Verifying bearer tokens (HS256 JWT, hono's jwt helper) against the keyring and retired kids. */
import { decode, verify } from 'hono/jwt'
import { loomError, type LoomError } from '../../src/contracts/index.ts'
import { Claims, isExpired } from './claims.ts'
import { DEFAULT_KID, type Keyring } from './keys.ts'
import { isRevokedKid, type Revocations } from './revocations.ts'

/** Imported once per isolate and secret: importing the HMAC key was a share of every request. */
const keys = new Map<string, Promise<CryptoKey>>()
const keyOf = (secret: string): Promise<CryptoKey> => {
  let key = keys.get(secret)
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
    keys.set(secret, key)
  }
  return key
}

const kidOf = (token: string): string | null => {
  try {
    const kid = decode(token).header.kid
    return kid === undefined ? DEFAULT_KID : kid
  } catch {
    return null
  }
}

/**
 * Tokens this isolate has verified, by the whole token string, with the secret that verified
 * them: a client sends the same token on every request, and decoding it and checking its HMAC
 * was a share of each one. A hit is re-checked for expiry, for its key still being that secret
 * (rotation) and for a retired kid, so the cache never lets through what a full check would refuse.
 */
const MAX_VERIFIED = 5_000
const verified = new Map<string, { claims: Claims; secret: string }>()

const remember = (token: string, claims: Claims, secret: string): void => {
  if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value as string)
  verified.set(token, { claims, secret })
}

export const verifyToken = async (token: string, keyring: Keyring | null, revocations: Revocations, now = Date.now()): Promise<Claims | LoomError> => {
  if (!keyring || keyring.size === 0) return loomError('internal_error', 'the server has no valid token keys configured')
  const hit = verified.get(token)
  if (hit && keyring.get(hit.claims.kid ?? DEFAULT_KID) === hit.secret) {
    if (isExpired(hit.claims, now)) {
      verified.delete(token)
      return loomError('token_expired', 'the token has expired')
    }
    if (isRevokedKid(revocations, hit.claims.kid ?? DEFAULT_KID)) return loomError('unauthorized', 'the token has been revoked')
    return hit.claims
  }
  const kid = kidOf(token)
  if (kid === null) return loomError('unauthorized', 'the token is not valid')
  const secret = keyring.get(kid)
  // The kid is not echoed: a token is the caller's, but our key names are ours.
  if (secret === undefined) return loomError('unauthorized', 'the token is signed with an unknown key')
  let payload: unknown
  try {
    // hono checks `exp` before the signature; checked here after it, a forged token is never told it has expired.
    payload = await verify(token, await keyOf(secret), { alg: 'HS256', exp: false })
  } catch {
    return loomError('unauthorized', 'the token is not valid')
  }
  const claims = Claims.safeParse(payload)
  if (!claims.success) return loomError('unauthorized', 'the token lacks sub, exp, scopes or workspaces')
  if (isExpired(claims.data, now)) return loomError('token_expired', 'the token has expired')
  if (isRevokedKid(revocations, kid)) return loomError('unauthorized', 'the token has been revoked')
  const result = { ...claims.data, kid }
  remember(token, result, secret)
  return result
}

export const isError = (value: Claims | LoomError): value is LoomError => 'code' in value
