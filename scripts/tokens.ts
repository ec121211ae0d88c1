/** @module Minting bearer tokens (HS256), for local dev and for runners on other machines. */
import { sign } from 'hono/jwt'

export type Scope = 'read' | 'operate' | 'runner' | 'admin'

export type MintOptions = {
  sub: string
  scopes: Scope[]
  workspaces: string[]
  days: number
  /** The key id put in the header; the worker picks `secret` from LOOM_JWT_KEYS by it. Absent: LOOM_JWT_SECRET's key. */
  kid?: string
  /** The token id, for revoking this token alone; a random UUID unless given. */
  jti?: string
}

/** A JSON Web Key for the secret, so hono's `sign` writes the kid into the header. */
const jwkOf = (secret: string, kid: string) => ({ kty: 'oct', k: Buffer.from(secret, 'utf8').toString('base64url'), alg: 'HS256' as const, kid })

export const mintToken = (secret: string, opts: MintOptions): Promise<string> =>
  sign(
    {
      sub: opts.sub,
      scopes: opts.scopes,
      workspaces: opts.workspaces,
      exp: Math.floor(Date.now() / 1000) + Math.round(opts.days * 86_400),
      jti: opts.jti ?? crypto.randomUUID(),
    },
    opts.kid === undefined ? secret : jwkOf(secret, opts.kid),
    'HS256',
  )
