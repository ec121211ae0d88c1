/**
 * @module Who is signed in: a Loom token, taken once from the page's `#token=` fragment
 * (which `npm run dev` prints; fragments are never sent to a server) or pasted, and kept in
 * this browser's localStorage. The workspace comes from the token's own claims.
 */
const KEY = 'loom.token'

export type Session = { token: string; workspaceId: string; subject: string; expiresAt: number | null }

const claimsOf = (token: string): Record<string, unknown> | null => {
  const part = token.split('.')[1]
  if (!part) return null
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='))
    const claims: unknown = JSON.parse(json)
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : null
  } catch {
    return null
  }
}

/** The session a token gives, or an explanation of why it gives none. */
export const sessionOf = (token: string): Session | { problem: string } => {
  const claims = claimsOf(token.trim())
  if (!claims) return { problem: 'That is not a Loom token (a JWT with three dot-separated parts).' }
  const workspaces = Array.isArray(claims.workspaces) ? claims.workspaces.filter((w): w is string => typeof w === 'string') : []
  const workspaceId = workspaces[0]
  if (!workspaceId) return { problem: 'The token names no workspace.' }
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : null
  if (exp !== null && exp < Date.now()) return { problem: 'The token has expired; mint a new one with npm run token.' }
  return { token: token.trim(), workspaceId, subject: typeof claims.sub === 'string' ? claims.sub : 'unknown', expiresAt: exp }
}

/** Reads the token from the fragment (and forgets the fragment) or from storage. */
export const restoreSession = (): Session | null => {
  const fromHash = new URLSearchParams(location.hash.replace(/^#/, '')).get('token')
  if (fromHash) {
    localStorage.setItem(KEY, fromHash)
    history.replaceState(null, '', location.pathname + location.search)
  }
  const token = localStorage.getItem(KEY)
  if (!token) return null
  const session = sessionOf(token)
  return 'problem' in session ? null : session
}

export const saveSession = (session: Session) => localStorage.setItem(KEY, session.token)
export const clearSession = () => localStorage.removeItem(KEY)
