/** @module Requests on a client socket of one thread: dispatch, read, subscribe, unsubscribe. */
import { ClientRequest, LIMITS, loomError, type LoomError } from '../../src/contracts/index.ts'
import { coversWorkspace, hasScope, isExpired, type Claims } from '../auth/claims.ts'
import { parseFrame, send, sendJson } from './frames.ts'
import { projectionText } from './projection-text.ts'
import { subscriptionId } from './clients.ts'
import type { ThreadRuntime } from './runtime.ts'

/** Why these claims may not read this thread, or null when they may. */
export const readRefusal = (rt: ThreadRuntime, claims: Claims, threadId?: string): LoomError | null => {
  if (!hasScope(claims, 'read')) return loomError('forbidden', 'reading needs the read scope')
  const thread = rt.core.state.thread
  if (!thread || thread.deletedAt !== null || (threadId !== undefined && threadId !== thread.id)) {
    const name = threadId ?? rt.ctx.id.name
    return loomError('thread_not_found', name ? `thread ${name} does not exist` : 'the thread does not exist')
  }
  if (!coversWorkspace(claims, thread.workspaceId)) return loomError('forbidden', `the token does not cover workspace ${thread.workspaceId}`)
  return null
}

/** The id of a request frame, when it has a usable one, so even a refusal can be matched. */
export const requestIdOf = (raw: unknown): string | number | null =>
  typeof raw === 'object' && raw !== null && 'id' in raw && (typeof raw.id === 'string' || typeof raw.id === 'number') ? raw.id : null

/** The answer to a frame whose handling threw: an error frame, so no client waits forever. */
export const internalErrorFrame = (message: string | ArrayBuffer, role: 'client' | 'runner') => {
  const error = loomError('internal_error', 'the frame could not be handled')
  return role === 'runner' ? { type: 'refused', error } : { id: requestIdOf(parseFrame(message)), error }
}

export const onClientMessage = (rt: ThreadRuntime, ws: WebSocket, message: string | ArrayBuffer): void => {
  const size = typeof message === 'string' ? message.length : message.byteLength
  if (size > LIMITS.requestBodyBytes) {
    sendJson(ws, { id: null, error: loomError('payload_too_large', `frames are limited to ${LIMITS.requestBodyBytes} bytes`) })
    return
  }
  const raw = parseFrame(message)
  const parsed = ClientRequest.safeParse(raw)
  if (!parsed.success) {
    const id = requestIdOf(raw)
    const error =
      raw === undefined
        ? loomError('invalid_json', 'frames must be JSON text')
        : loomError('invalid_request', 'not a valid request frame', { issues: parsed.error.issues.slice(0, 20).map((i) => ({ path: i.path, message: i.message })) })
    sendJson(ws, { id, error })
    return
  }
  const request = parsed.data
  const claims = rt.clients.attachment(ws).claims
  if (isExpired(claims, Date.now())) {
    sendJson(ws, { id: request.id, error: loomError('token_expired', 'the token has expired; reconnect with a fresh one') })
    ws.close(4001, 'token expired')
    return
  }
  const answer = (result: unknown): void => {
    sendJson(ws, { id: request.id, result })
  }
  const refuse = (error: LoomError): void => {
    sendJson(ws, { id: request.id, error })
  }
  switch (request.method) {
    case 'dispatchCommand': {
      const reply = rt.dispatch(claims, request.params)
      const body = JSON.parse(reply.body)
      return reply.status === 200 ? answer(body) : refuse(body)
    }
    case 'getThreadProjection': {
      const refusal = readRefusal(rt, claims, request.params.threadId)
      if (refusal) return refuse(refusal)
      send(ws, `{"id":${JSON.stringify(request.id)},"result":${projectionText(rt.core)}}`)
      return
    }
    case 'subscribeThread': {
      const refusal = readRefusal(rt, claims, request.params.threadId)
      if (refusal) return refuse(refusal)
      return rt.clients.subscribe(ws, request.id, rt.core, request.params.afterSequence, request.params.coalesce)
    }
    case 'unsubscribe': {
      if (!rt.core.threadId || request.params.subscription !== subscriptionId(rt.core.threadId)) {
        return refuse(loomError('invalid_request', `no subscription ${request.params.subscription} on this socket`))
      }
      rt.clients.unsubscribe(ws)
      return answer({ unsubscribed: request.params.subscription })
    }
    case 'subscribeShell':
      return refuse(loomError('invalid_request', 'this socket serves one thread; subscribe to the shell on /v1/ws?workspaceId=<id>'))
    default: {
      const never: never = request
      throw new Error(`unhandled method ${String(never)}`)
    }
  }
}
