/** @module Shell subscribers: a snapshot of the workspace's threads, then each change. */
import { ClientRequest, ThreadId, loomError, type LoomError, type ThreadShell } from '../../src/contracts/index.ts'
import { coversWorkspace, hasScope, isExpired, type Claims } from '../auth/claims.ts'
import { parseFrame, send, sendJson } from '../thread/frames.ts'
import { listShell } from '../store/workspace/shell.ts'
import type { WorkspaceRuntime } from './runtime.ts'

export type ShellAttachment = { kind: 'client'; claims: Claims; subscribed: boolean }

export const shellSubscriptionId = (workspaceId: string) => `shell:${workspaceId}`

export const readRefusal = (claims: Claims, workspaceId: string): LoomError | null => {
  if (!hasScope(claims, 'read')) return loomError('forbidden', 'reading needs the read scope')
  if (!coversWorkspace(claims, workspaceId)) return loomError('forbidden', `the token does not cover workspace ${workspaceId}`)
  return null
}

export const onShellClientMessage = async (rt: WorkspaceRuntime, ws: WebSocket, message: string | ArrayBuffer): Promise<void> => {
  const raw = parseFrame(message)
  const parsed = ClientRequest.safeParse(raw)
  if (!parsed.success) {
    const error = raw === undefined ? loomError('invalid_json', 'frames must be JSON text') : loomError('invalid_request', 'not a valid request frame', { issues: parsed.error.issues.slice(0, 20).map((i) => ({ path: i.path, message: i.message })) })
    sendJson(ws, { id: null, error })
    return
  }
  const request = parsed.data
  const attachment = ws.deserializeAttachment() as ShellAttachment
  const claims = attachment.claims
  const refuse = (error: LoomError): void => {
    sendJson(ws, { id: request.id, error })
  }
  if (isExpired(claims, Date.now())) {
    refuse(loomError('token_expired', 'the token has expired; reconnect with a fresh one'))
    ws.close(4001, 'token expired')
    return
  }
  switch (request.method) {
    case 'subscribeShell': {
      if (request.params.workspaceId !== rt.workspaceId) return refuse(loomError('invalid_request', `this socket serves workspace ${rt.workspaceId}`))
      const refusal = readRefusal(claims, rt.workspaceId)
      if (refusal) return refuse(refusal)
      const subscription = shellSubscriptionId(rt.workspaceId)
      sendJson(ws, { id: request.id, result: { subscription } })
      sendJson(ws, { subscription, item: { kind: 'snapshot', threads: listShell(rt.db, request.params.archived ?? false) } })
      ws.serializeAttachment({ ...attachment, subscribed: true } satisfies ShellAttachment)
      return
    }
    case 'unsubscribe':
      if (request.params.subscription !== shellSubscriptionId(rt.workspaceId)) {
        return refuse(loomError('invalid_request', `no subscription ${request.params.subscription} on this socket`))
      }
      ws.serializeAttachment({ ...attachment, subscribed: false } satisfies ShellAttachment)
      sendJson(ws, { id: request.id, result: { unsubscribed: request.params.subscription } })
      return
    case 'dispatchCommand': {
      // Routed by its threadId before the thread validates the rest; anything but a valid id
      // (an object whose toString throws, a path) is refused here and wakes no object.
      const params: unknown = request.params
      const threadId = typeof params === 'object' && params !== null && 'threadId' in params ? params.threadId : undefined
      if (typeof threadId !== 'string' || !ThreadId.safeParse(threadId).success) {
        return refuse(loomError('invalid_request', 'the command needs a valid threadId', { path: ['params', 'threadId'] }))
      }
      const reply = await rt.env.THREADS.get(rt.env.THREADS.idFromName(threadId)).dispatch(claims, request.params)
      const body = JSON.parse(reply.body)
      sendJson(ws, reply.status === 200 ? { id: request.id, result: body } : { id: request.id, error: body })
      return
    }
    case 'getThreadProjection': {
      const reply = await rt.env.THREADS.get(rt.env.THREADS.idFromName(request.params.threadId)).projection(claims)
      const body = JSON.parse(reply.body)
      sendJson(ws, reply.status === 200 ? { id: request.id, result: body } : { id: request.id, error: body })
      return
    }
    case 'subscribeThread':
      return refuse(loomError('invalid_request', `subscribe to a thread on its own socket: /v1/ws?threadId=${request.params.threadId}`))
    default: {
      const never: never = request
      throw new Error(`unhandled method ${String(never)}`)
    }
  }
}

export const broadcastShell = (rt: WorkspaceRuntime, summary: ThreadShell): void => {
  const frame = JSON.stringify({ subscription: shellSubscriptionId(rt.workspaceId), item: { kind: 'thread.updated', thread: summary } })
  for (const ws of rt.ctx.getWebSockets('client')) {
    if ((ws.deserializeAttachment() as ShellAttachment).subscribed) send(ws, frame)
  }
}
