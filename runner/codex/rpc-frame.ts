/** @module Classifies an inbound Codex JSON-RPC frame. */
import type { JsonFrame } from './jsonl-decoder.ts'
import type { CodexNotification, RequestId, RpcErrorBody, ServerRequest } from './protocol.ts'

/** What an inbound frame is, by shape (Codex frames carry no `jsonrpc` field). */
export type InboundFrame =
  | { kind: 'response'; id: RequestId; result: unknown }
  | { kind: 'error'; id: RequestId | null; error: RpcErrorBody }
  | { kind: 'request'; request: ServerRequest }
  | { kind: 'notification'; notification: CodexNotification }
  | { kind: 'invalid'; reason: string }

const isId = (v: unknown): v is RequestId => typeof v === 'number' || typeof v === 'string'

/**
 * `{id, method}` is a server→client request, `{method}` a notification, `{id, result}` and
 * `{id, error}` answers to our requests. Method names are not checked against the generated
 * union, so a newer server's extra methods still route (and are typed as the known ones).
 */
export function classifyFrame(frame: JsonFrame): InboundFrame {
  const { id, method } = frame
  if (typeof method === 'string') {
    if (id === undefined) return { kind: 'notification', notification: frame as CodexNotification }
    if (isId(id)) return { kind: 'request', request: frame as ServerRequest }
    return { kind: 'invalid', reason: 'request id is neither number nor string' }
  }
  if ('error' in frame) {
    const error = frame.error as Partial<RpcErrorBody> | null
    if (typeof error !== 'object' || error === null) return { kind: 'invalid', reason: 'error is not an object' }
    return {
      kind: 'error',
      id: isId(id) ? id : null,
      error: { code: typeof error.code === 'number' ? error.code : 0, message: String(error.message ?? ''), data: error.data },
    }
  }
  if (isId(id) && 'result' in frame) return { kind: 'response', id, result: frame.result }
  return { kind: 'invalid', reason: 'neither request, notification nor response' }
}
