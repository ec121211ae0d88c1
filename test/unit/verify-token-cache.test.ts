/**
 * The isolate's cache of verified tokens (worker/auth/verify.ts) must never accept what a full
 * check would refuse: a cached token still expires, still falls with its retired kid, and is
 * checked again when its kid's secret changes. Runs the real verifier (hono/jwt, WebCrypto) in Node.
 */
import { sign } from 'hono/jwt'
import { describe, expect, it } from 'vitest'
import { verifyToken } from '../../worker/auth/verify.ts'
import { revocationsOf } from '../../worker/auth/revocations.ts'

const SECRET = 'a'.repeat(40)
const OTHER = 'b'.repeat(40)
const none = revocationsOf(undefined)

/** A token of `exp` (seconds); with `kid`, signed through a JSON Web Key so the header names it. */
const mint = (exp: number, sub = 'user:cache', kid?: string) =>
  sign(
    { sub, exp, scopes: ['read'], workspaces: ['ws'] },
    kid === undefined ? SECRET : { kty: 'oct', k: Buffer.from(SECRET, 'utf8').toString('base64url'), alg: 'HS256', kid },
    'HS256',
  )

describe('verified-token cache', () => {
  it('should answer a repeated token with the same claims, and refuse it once it expires', async () => {
    const exp = Math.floor(Date.now() / 1000) + 60
    const token = await mint(exp)
    const ring = new Map([['default', SECRET]])
    const first = await verifyToken(token, ring, none)
    expect(first).toMatchObject({ sub: 'user:cache', exp, kid: 'default' })
    expect(await verifyToken(token, ring, none)).toEqual(first)
    expect(await verifyToken(token, ring, none, exp * 1000)).toMatchObject({ code: 'token_expired' })
  })

  it('should refuse a cached token whose kid is retired afterwards', async () => {
    const token = await mint(Math.floor(Date.now() / 1000) + 60, 'user:retired', 'k1')
    const ring = new Map([['k1', SECRET]])
    expect(await verifyToken(token, ring, none)).toMatchObject({ kid: 'k1' })
    expect(await verifyToken(token, ring, revocationsOf('k1'))).toMatchObject({ code: 'unauthorized' })
  })

  it('should check a cached token again when its key changes, and refuse it under a secret that did not sign it', async () => {
    const token = await mint(Math.floor(Date.now() / 1000) + 60, 'user:rotated')
    expect(await verifyToken(token, new Map([['default', SECRET]]), none)).toMatchObject({ sub: 'user:rotated' })
    expect(await verifyToken(token, new Map([['default', OTHER]]), none)).toMatchObject({ code: 'unauthorized' })
    expect(await verifyToken(token, new Map([['other', SECRET]]), none)).toMatchObject({ code: 'unauthorized' })
  })

  it('should not let a token with a changed signature through on the strength of the cached one', async () => {
    const token = await mint(Math.floor(Date.now() / 1000) + 60, 'user:tampered')
    const ring = new Map([['default', SECRET]])
    expect(await verifyToken(token, ring, none)).toMatchObject({ sub: 'user:tampered' })
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`
    expect(await verifyToken(tampered, ring, none)).toMatchObject({ code: 'unauthorized' })
  })
})
