/**
 * @module ThreadObject: one Durable Object per thread. A thin shell over the runtime: RPC
 * for the HTTP edge, hibernatable sockets for subscribers and the runner link, one alarm.
 */
import { log } from '../log.ts'
import { DurableObject } from 'cloudflare:workers'
import { CLIENT_SUBPROTOCOL, LIMITS, RUNNER_SUBPROTOCOL, loomError, type Command, type LoomError } from '../../src/contracts/index.ts'
import type { Env } from '../env.ts'
import { coversWorkspace, type Claims } from '../auth/claims.ts'
import { ThreadRuntime, fail, ok, type Reply } from './runtime.ts'
import { internalErrorFrame, onClientMessage, readRefusal } from './client-requests.ts'
import { sendJson } from './frames.ts'
import { projectionText } from './projection-text.ts'
import { fence, onRunnerClose, onRunnerMessage, type RunnerAttachment } from './link.ts'
import { restoreTimers, runAlarm } from './alarm.ts'
import { readEvents } from '../store/thread/read.ts'
import { rowsWritten } from '../store/metered-sql.ts'
import { claimsHeader } from '../auth/forward.ts'
import { closeSocketsOf, type SocketSelector } from '../auth/revoke-sockets.ts'
import { diffReply, type DiffReply } from './diff-reply.ts'

export class ThreadObject extends DurableObject<Env> {
  private readonly rt: ThreadRuntime

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.rt = new ThreadRuntime(ctx, env)
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'))
    void ctx.blockConcurrencyWhile(async () => {
      await this.rt.load()
      restoreTimers(this.rt)
    })
  }

  dispatch(claims: Claims, command: unknown): Reply {
    return this.rt.dispatch(claims, command)
  }

  /** From the Worker's HTTP route, which has validated the command already. */
  dispatchValid(claims: Claims, command: Command): Reply {
    return this.rt.dispatchValid(claims, command)
  }

  projection(claims: Claims): Reply {
    const refusal = readRefusal(this.rt, claims)
    if (refusal) return fail(refusal)
    return { status: 200, body: projectionText(this.rt.core) }
  }

  events(claims: Claims, after: number, limit: number): Reply {
    const refusal = readRefusal(this.rt, claims)
    if (refusal) return fail(refusal)
    const page = readEvents(this.rt.core.db, this.rt.core.threadId as string, after, Math.min(limit, LIMITS.eventsPageSize))
    const last = page.at(-1)?.sequence ?? after
    return ok({ events: page, nextAfter: last, hasMore: last < this.rt.core.sequence })
  }

  /** The stored unified diff of a checkpoint or a run. */
  diff(claims: Claims, subject: 'checkpoint' | 'run', id: string): DiffReply {
    return diffReply(this.rt, claims, subject, id)
  }

  /** A fork seed from the source thread (idempotent by transfer id). */
  receiveSeed(seed: string): LoomError | null {
    return this.rt.system({ type: 'fork.seed', seed })
  }

  /** A fork's delta, for this thread's next run (idempotent by transfer id). */
  receiveMergeBack(delivery: string): LoomError | null {
    return this.rt.system({ type: 'merge_back.receive', delivery })
  }

  /** The workspace issued a newer runner epoch: runs served by `epoch` end now. */
  fence(epoch: number): void {
    fence(this.rt, epoch)
  }

  /** Closes the sockets of a revoked token or retired key (worker/auth/revoke-sockets.ts); how many. */
  closeSockets(selector: SocketSelector): number {
    const closed = closeSocketsOf(this.ctx, selector)
    for (const ws of closed) this.closed(ws)
    return closed.length
  }

  /**
   * Benchmark figures. With LOOM_METER_SQL=1 the first reset starts counting the rows this
   * object writes; until then nothing is kept (each kept cursor costs memory and collection).
   */
  meter(reset: boolean): { sequence: number; rowsWritten: number } {
    const figures = { sequence: this.rt.core.sequence, rowsWritten: rowsWritten(this.rt.core.meter) }
    if (reset) {
      this.rt.core.meter.cursors = []
      this.rt.core.meter.enabled = this.env.LOOM_METER_SQL === '1'
    }
    return figures
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
      return Response.json(loomError('upgrade_required', 'this endpoint takes WebSocket upgrades'), { status: 426 })
    }
    const claims = JSON.parse(request.headers.get(claimsHeader) ?? 'null') as Claims | null
    if (!claims) return Response.json(loomError('unauthorized', 'no verified token'), { status: 401 })
    // Checked at upgrade too, not only per frame: a socket of workspace A never opens on B's thread.
    const owner = this.rt.core.state.thread?.workspaceId
    if (owner !== undefined && !coversWorkspace(claims, owner)) return Response.json(loomError('forbidden', `the token does not cover workspace ${owner}`), { status: 403 })
    const role = new URL(request.url).pathname.endsWith('/runner') ? 'runner' : 'client'
    const { 0: client, 1: server } = new WebSocketPair()
    if (role === 'runner') {
      this.ctx.acceptWebSocket(server, ['runner'])
      server.serializeAttachment({ kind: 'runner', claims, epoch: null, runnerId: null } satisfies RunnerAttachment)
    } else {
      this.rt.clients.accept(server, claims)
    }
    const offered = (request.headers.get('Sec-WebSocket-Protocol') ?? '').split(',').map((p) => p.trim())
    const protocol = role === 'runner' ? RUNNER_SUBPROTOCOL : CLIENT_SUBPROTOCOL
    const headers = offered.includes(protocol) ? { 'Sec-WebSocket-Protocol': protocol } : undefined
    return new Response(null, { status: 101, webSocket: client, ...(headers ? { headers } : {}) })
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const role = this.ctx.getTags(ws).includes('runner') ? 'runner' : 'client'
    try {
      if (role === 'runner') await onRunnerMessage(this.rt, ws, message)
      else onClientMessage(this.rt, ws, message)
    } catch (cause) {
      log.error('socket frame failed', { threadId: this.rt.core.threadId, role, cause })
      sendJson(ws, internalErrorFrame(message, role))
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.closed(ws)
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason)
    } catch {
      // The peer is already gone; there is nothing left to close.
    }
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    log.warn('websocket error', { threadId: this.rt.core.threadId, cause: error })
    this.closed(ws)
  }

  override async alarm(): Promise<void> {
    await runAlarm(this.rt)
  }

  private closed(ws: WebSocket): void {
    if (this.ctx.getTags(ws).includes('runner')) onRunnerClose(this.rt, ws)
    else this.rt.clients.forget(ws)
  }
}
