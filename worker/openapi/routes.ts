/**
 * @module The route table the OpenAPI document is generated from: each route's method, path,
 * scope and the zod contracts of its parameters, body and answer. A test checks it against the
 * routes the Hono app really answers, so the two cannot drift apart.
 */
import { z } from 'zod'
import { CheckpointId, Command, DispatchResult, RunId, ThreadId, ThreadProjection, WorkspaceId } from '../../src/contracts/index.ts'
import { CLIENT_SUBPROTOCOL, RUNNER_SUBPROTOCOL } from '../../src/contracts/index.ts'
import { EventsPage, Health, ProvidersReport, ThreadList } from '../../src/contracts/wire/http.ts'
import type { Scope } from '../auth/claims.ts'
import { EventsQuery } from '../routes/threads.ts'
import { ListQuery } from '../routes/workspaces.ts'
import { Revocation } from '../routes/admin.ts'

/** A zod schema that becomes a named component of the document. */
export type Named = { name: string; schema: z.ZodType }

export type RouteSpec = {
  method: 'get' | 'post'
  /** Hono style: `/v1/threads/:threadId`. */
  path: string
  summary: string
  /** The scope the bearer token needs; null for public routes. */
  scope: Scope | null
  params?: z.ZodObject
  query?: z.ZodObject
  body?: Named
  /** The JSON answer, a plain-text one, or a WebSocket upgrade speaking a subprotocol. */
  answer: { json: Named } | { text: { contentType: string; description: string; headers?: Record<string, string> } } | { websocket: string } | { description: string }
  /** Error statuses besides 401/403 (always possible with a scope) and 429. */
  errors: number[]
}

const threadParams = z.object({ threadId: ThreadId })
const workspaceParams = z.object({ workspaceId: WorkspaceId })
/** A diff route's answer: the text of a unified diff. */
const diffAnswer: RouteSpec['answer'] = { text: { contentType: 'text/x-diff', description: 'A unified diff', headers: { 'Loom-Diff-Truncated': 'true when the runner cut the diff' } } }

export const ROUTES: readonly RouteSpec[] = [
  { method: 'get', path: '/v1/health', summary: 'Liveness', scope: null, answer: { json: { name: 'Health', schema: Health } }, errors: [] },
  { method: 'get', path: '/v1/openapi.json', summary: 'This document', scope: null, answer: { description: 'The OpenAPI 3.1 document' }, errors: [] },
  {
    method: 'post',
    path: '/v1/commands',
    summary: 'Dispatch a command to its thread (a repeated commandId returns the first result)',
    scope: 'operate',
    body: { name: 'Command', schema: Command },
    answer: { json: { name: 'DispatchResult', schema: DispatchResult } },
    errors: [400, 404, 409, 413],
  },
  {
    method: 'get',
    path: '/v1/threads/:threadId',
    summary: 'The thread projection',
    scope: 'read',
    params: threadParams,
    answer: { json: { name: 'ThreadProjection', schema: ThreadProjection } },
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/v1/threads/:threadId/events',
    summary: 'One page of stored events after a sequence',
    scope: 'read',
    params: threadParams,
    query: EventsQuery,
    answer: { json: { name: 'EventsPage', schema: EventsPage } },
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/v1/threads/:threadId/checkpoints/:checkpointId/diff',
    summary: 'The unified diff a checkpoint captured (from the previous checkpoint)',
    scope: 'read',
    params: z.object({ threadId: ThreadId, checkpointId: CheckpointId }),
    answer: diffAnswer,
    errors: [400, 404, 409],
  },
  {
    method: 'get',
    path: '/v1/threads/:threadId/runs/:runId/diff',
    summary: 'The unified diff of a run (from its baseline)',
    scope: 'read',
    params: z.object({ threadId: ThreadId, runId: RunId }),
    answer: diffAnswer,
    errors: [400, 404, 409],
  },
  {
    method: 'get',
    path: '/v1/workspaces/:workspaceId/threads',
    summary: "The workspace's thread summaries (active or archived)",
    scope: 'read',
    params: workspaceParams,
    query: ListQuery,
    answer: { json: { name: 'ThreadList', schema: ThreadList } },
    errors: [400],
  },
  {
    method: 'get',
    path: '/v1/workspaces/:workspaceId/providers',
    summary: "The runner serving the workspace and its providers' status",
    scope: 'read',
    params: workspaceParams,
    answer: { json: { name: 'ProvidersReport', schema: ProvidersReport } },
    errors: [400],
  },
  {
    method: 'get',
    path: '/v1/ws',
    summary: 'Client WebSocket: ?threadId= for subscribeThread, ?workspaceId= for subscribeShell (frames: ClientRequest / ServerFrame)',
    scope: 'read',
    query: z.object({ threadId: ThreadId.optional(), workspaceId: WorkspaceId.optional() }),
    answer: { websocket: CLIENT_SUBPROTOCOL },
    errors: [400, 404, 426],
  },
  {
    method: 'get',
    path: '/v1/runner/control',
    summary: "A runner's control socket to its workspace",
    scope: 'runner',
    query: z.object({ workspaceId: WorkspaceId.optional() }),
    answer: { websocket: RUNNER_SUBPROTOCOL },
    errors: [400, 426],
  },
  {
    method: 'get',
    path: '/v1/runner/threads/:threadId/link',
    summary: "A runner's link to one thread",
    scope: 'runner',
    params: threadParams,
    answer: { websocket: RUNNER_SUBPROTOCOL },
    errors: [400, 426],
  },
  {
    method: 'post',
    path: '/v1/admin/revocations',
    summary: 'Revoke one token by its jti and close the sockets it opened',
    scope: 'admin',
    body: { name: 'Revocation', schema: Revocation },
    answer: { description: '{ jti, revoked, workspaces, closedSockets }' },
    errors: [400],
  },
]
