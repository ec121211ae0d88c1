/** @module Verifying bearer tokens (HS256 JWT, hono's jwt helper). */
import { verify } from 'hono/jwt'
import { loomError, type LoomError } from '../../src/contracts/index.ts'
import { Claims } from './claims.ts'

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

export const verifyToken = async (token: string, secret: string): Promise<Claims | LoomError> => {
  if (!secret) return loomError('internal_error', 'the server has no token secret configured')
  let payload: unknown
  try {
    payload = await verify(token, await keyOf(secret), 'HS256')
  } catch (cause) {
    const name = cause instanceof Error ? cause.name : ''
    if (name === 'JwtTokenExpired') return loomError('token_expired', 'the token has expired')
    return loomError('unauthorized', 'the token is not valid')
  }
  const claims = Claims.safeParse(payload)
  if (!claims.success) return loomError('unauthorized', 'the token lacks sub, exp, scopes or workspaces')
  return claims.data
}

export const isError = (value: Claims | LoomError): value is LoomError => 'code' in value
