/**
 * @module The browser/client WebSocket protocol: request frames `{ id, method, params }`,
 * answers `{ id, result | error }`, stream items `{ subscription, item }`.
 */
import { z } from 'zod'
import { LoomError } from '../errors.ts'
import { StoredEvent } from '../events.ts'
import { ThreadProjection, ThreadShell } from '../projection.ts'
import { ThreadId, WorkspaceId } from '../ids.ts'

/** Offered in `Sec-WebSocket-Protocol` beside the token (`loom.token.<jwt>`). */
export const CLIENT_SUBPROTOCOL = 'loom.v1'
export const TOKEN_SUBPROTOCOL_PREFIX = 'loom.token.'

const RequestId = z.union([z.string().max(128), z.number().int()])

export const ClientRequest = z.discriminatedUnion('method', [
  z.strictObject({ id: RequestId, method: z.literal('dispatchCommand'), params: z.unknown() }),
  z.strictObject({ id: RequestId, method: z.literal('getThreadProjection'), params: z.strictObject({ threadId: ThreadId }) }),
  z.strictObject({ id: RequestId, method: z.literal('subscribeShell'), params: z.strictObject({ workspaceId: WorkspaceId, archived: z.boolean().optional() }) }),
  z.strictObject({
    id: RequestId,
    method: z.literal('subscribeThread'),
    params: z.strictObject({
      threadId: ThreadId,
      afterSequence: z.number().int().nonnegative().optional(),
      /**
       * Stream items that land close together (a burst of commands, a runner batch) come in one
       * frame, `{ subscription, items }`, instead of one frame each: fewer frames for busy
       * threads, at the price of at most one turn of the object's event loop.
       */
      coalesce: z.boolean().optional(),
    }),
  }),
  z.strictObject({ id: RequestId, method: z.literal('unsubscribe'), params: z.strictObject({ subscription: z.string().max(128) }) }),
])
export type ClientRequest = z.infer<typeof ClientRequest>
export type ClientMethod = ClientRequest['method']

export const ThreadStreamItem = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('snapshot'), sequence: z.number().int().nonnegative(), projection: ThreadProjection }),
  z.strictObject({ kind: z.literal('event'), sequence: z.number().int().positive(), event: StoredEvent }),
  /** Ephemeral streaming text, never logged: `offset` is where `text` starts in the item. */
  z.strictObject({ kind: z.literal('delta'), itemId: z.string(), offset: z.number().int().nonnegative(), text: z.string() }),
])
export type ThreadStreamItem = z.infer<typeof ThreadStreamItem>

export const ShellStreamItem = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('snapshot'), threads: z.array(ThreadShell) }),
  z.strictObject({ kind: z.literal('thread.updated'), thread: ThreadShell }),
])
export type ShellStreamItem = z.infer<typeof ShellStreamItem>

export const ServerFrame = z.union([
  z.strictObject({ id: RequestId, result: z.unknown() }),
  z.strictObject({ id: RequestId.nullable(), error: LoomError }),
  z.strictObject({ subscription: z.string(), item: z.union([ThreadStreamItem, ShellStreamItem]) }),
  /** Several items of a coalescing thread subscription, in order. */
  z.strictObject({ subscription: z.string(), items: z.array(ThreadStreamItem) }),
])
export type ServerFrame = z.infer<typeof ServerFrame>
