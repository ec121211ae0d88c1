/**
 * @module Closing the open sockets of a revoked token or a retired key. Every socket attachment
 * in Loom carries the claims it was opened with; a workspace closes its own (runner control,
 * shell clients) and asks each of its threads to close theirs (runner links, subscribers).
 */
import type { Claims } from './claims.ts'
import { DEFAULT_KID } from './keys.ts'
import type { WorkspaceRuntime } from '../workspace/runtime.ts'
import { links, shell } from '../store/workspace-schema.ts'

/** 4003: the token was revoked (or its key retired); a runner or client must not reconnect with it. */
export const REVOKED_CLOSE_CODE = 4003

/** Which sockets to close: those of one token, or of every token one key signed. */
export type SocketSelector = { jti: string } | { kid: string }

const selects = (selector: SocketSelector, claims: Claims | undefined): boolean =>
  claims !== undefined && ('jti' in selector ? claims.jti === selector.jti : (claims.kid ?? DEFAULT_KID) === selector.kid)

/** Closes this object's sockets that `selector` picks; returns them, for the object to forget. */
export const closeSocketsOf = (ctx: DurableObjectState, selector: SocketSelector): WebSocket[] => {
  const closed: WebSocket[] = []
  for (const ws of ctx.getWebSockets()) {
    const attachment = ws.deserializeAttachment() as { claims?: Claims } | null
    if (!selects(selector, attachment?.claims)) continue
    try {
      ws.close(REVOKED_CLOSE_CODE, 'token revoked')
    } catch {
      // Already closing: nothing more to do.
    }
    closed.push(ws)
  }
  return closed
}

/** Closes the selected sockets on the workspace and on every thread it knows; the number closed. */
export const closeWorkspaceSockets = async (rt: WorkspaceRuntime, selector: SocketSelector): Promise<number> => {
  let count = closeSocketsOf(rt.ctx, selector).length
  const threads = new Set([...rt.db.select({ id: links.threadId }).from(links).all(), ...rt.db.select({ id: shell.threadId }).from(shell).all()].map((r) => r.id))
  const closed = await Promise.all([...threads].map((id) => rt.env.THREADS.get(rt.env.THREADS.idFromName(id)).closeSockets(selector)))
  for (const n of closed) count += n
  return count
}
