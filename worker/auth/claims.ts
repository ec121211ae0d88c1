/** @module Who a verified token speaks for: subject, scopes, workspaces, expiry. */
import { z } from 'zod'

export const Scope = z.enum(['read', 'operate', 'runner', 'admin'])
export type Scope = z.infer<typeof Scope>

export const Claims = z.object({
  sub: z.string().min(1).max(256),
  exp: z.number().int(),
  scopes: z.array(Scope).min(1),
  workspaces: z.array(z.string().min(1).max(256)),
  /** The token's id, for revoking it alone (LOOM_REVOKED `jti:<id>`). */
  jti: z.string().min(1).max(256).optional(),
  /** The signing key's id; taken from the verified header, never from the payload. */
  kid: z.string().max(256).optional(),
})
export type Claims = z.infer<typeof Claims>

/** `admin` covers every scope and every workspace. */
export const hasScope = (claims: Claims, scope: Scope): boolean => claims.scopes.includes(scope) || claims.scopes.includes('admin')

export const coversWorkspace = (claims: Claims, workspaceId: string): boolean =>
  claims.scopes.includes('admin') || claims.workspaces.includes(workspaceId)

export const isExpired = (claims: Claims, now: number): boolean => claims.exp * 1000 <= now
