/**
 * @module WebSocket upgrades. `/v1/ws?threadId=` reaches that thread's object, `/v1/ws?workspaceId=`
 * the workspace's (shell); runners open `/v1/runner/control` and one link per thread.
 */
import { Hono, type Context } from 'hono'
import { ThreadId, WorkspaceId, loomError } from '../../src/contracts/index.ts'
import type { AppEnv } from '../app-env.ts'
import { auth } from '../middleware/auth/index.ts'
import { raise } from '../middleware/errors/index.ts'
import { coversWorkspace } from '../auth/claims.ts'
import { claimsHeader } from '../auth/forward.ts'
import { workspaceHeader } from '../workspace/workspace-object.ts'

const requireUpgrade = (c: Context<AppEnv>) => {
  if (c.req.header('Upgrade')?.toLowerCase() !== 'websocket') raise(loomError('upgrade_required', 'this endpoint takes WebSocket upgrades'))
}

/** The upgrade as the object sees it: only the headers it needs, claims set by us. */
const forward = (c: Context<AppEnv>, path: string, extra: Record<string, string> = {}) =>
  new Request(`https://loom.internal${path}`, {
    headers: {
      Upgrade: 'websocket',
      'Sec-WebSocket-Protocol': c.req.header('Sec-WebSocket-Protocol') ?? '',
      [claimsHeader]: JSON.stringify(c.get('claims')),
      ...extra,
    },
  })

export const sockets = new Hono<AppEnv>()
  .get('/ws', auth('read'), async (c) => {
    requireUpgrade(c)
    const threadId = c.req.query('threadId')
    const workspaceId = c.req.query('workspaceId')
    if ((threadId === undefined) === (workspaceId === undefined)) {
      raise(loomError('invalid_request', 'give exactly one of threadId or workspaceId', { path: ['query'] }))
    }
    if (threadId !== undefined) {
      if (!ThreadId.safeParse(threadId).success) raise(loomError('invalid_request', 'threadId is not valid', { path: ['query', 'threadId'] }))
      return c.env.THREADS.get(c.env.THREADS.idFromName(threadId)).fetch(forward(c, '/client'))
    }
    const workspace = workspaceId as string
    if (!WorkspaceId.safeParse(workspace).success) raise(loomError('invalid_request', 'workspaceId is not valid', { path: ['query', 'workspaceId'] }))
    if (!coversWorkspace(c.get('claims'), workspace)) raise(loomError('forbidden', `the token does not cover workspace ${workspace}`))
    return c.env.WORKSPACES.get(c.env.WORKSPACES.idFromName(workspace)).fetch(forward(c, '/client', { [workspaceHeader]: workspace }))
  })
  .get('/runner/control', auth('runner'), async (c) => {
    requireUpgrade(c)
    const claims = c.get('claims')
    const workspace = c.req.query('workspaceId') ?? (claims.workspaces.length === 1 ? claims.workspaces[0] : undefined)
    if (!workspace || !WorkspaceId.safeParse(workspace).success) raise(loomError('invalid_request', 'the runner token must name one workspace (or pass ?workspaceId=)'))
    if (!coversWorkspace(claims, workspace as string)) raise(loomError('forbidden', `the token does not cover workspace ${workspace}`))
    return c.env.WORKSPACES.get(c.env.WORKSPACES.idFromName(workspace as string)).fetch(forward(c, '/control', { [workspaceHeader]: workspace as string }))
  })
  .get('/runner/threads/:threadId/link', auth('runner'), async (c) => {
    requireUpgrade(c)
    const threadId = c.req.param('threadId')
    if (!ThreadId.safeParse(threadId).success) raise(loomError('invalid_request', 'threadId is not valid', { path: ['threadId'] }))
    return c.env.THREADS.get(c.env.THREADS.idFromName(threadId)).fetch(forward(c, '/runner'))
  })
