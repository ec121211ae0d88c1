/**
 * @module Retired signing keys: LOOM_REVOKED_KIDS, kids separated by commas. Every token a
 * retired key signed is refused, as if the key were gone, while the secret itself may stay set
 * (LOOM_JWT_SECRET is the `default` kid). Single tokens are revoked by jti (worker/routes/admin.ts).
 */

export type Revocations = { kids: ReadonlySet<string> }

const parsed = new Map<string, Revocations>()

export const revocationsOf = (list: string | undefined): Revocations => {
  const text = list ?? ''
  let revocations = parsed.get(text)
  if (!revocations) {
    revocations = { kids: new Set(text.split(',').map((k) => k.trim()).filter((k) => k !== '')) }
    parsed.set(text, revocations)
  }
  return revocations
}

export const isRevokedKid = (revocations: Revocations, kid: string): boolean => revocations.kids.has(kid)
