/**
 * @module WorkspaceObject: one per workspace. Keeps the shell (thread summaries) for
 * `subscribeShell`, issues runner epochs, fences old ones, and relays attach requests.
 */
import { log } from '../log.ts'
import { DurableObject } from 'cloudflare:workers'
import { CLIENT_SUBPROTOCOL, RUNNER_SUBPROTOCOL, ThreadShell, loomError } from '../../src/contracts/index.ts'
import type { Env } from '../env.ts'
import type { Claims } from '../auth/claims.ts'
import { claimsHeader } from '../auth/forward.ts'
import { closeWorkspaceSockets, type SocketSelector } from '../auth/revoke-sockets.ts'
import { fail, ok, type Reply } from '../thread/runtime.ts'
import { WorkspaceRuntime } from './runtime.ts'
import { currentControl, onControlMessage, type ControlAttachment } from './control.ts'
import { broadcastShell, onShellClientMessage, readRefusal, type ShellAttachment } from './shell-clients.ts'
import { applyShell, listShell } from '../store/workspace/shell.ts'
import { currentRunner } from '../store/workspace/runners.ts'
import { recordLink, requestLink } from '../store/workspace/links.ts'
import { sendJson } from '../thread/frames.ts'
import { internalErrorFrame } from '../thread/client-requests.ts'

export const workspaceHeader = 'x-loom-workspace'

export class WorkspaceObject extends DurableObject<Env> {
  private readonly rt: WorkspaceRuntime

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.rt = new WorkspaceRuntime(ctx, env)
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'))
    void ctx.blockConcurrencyWhile(() => this.rt.load())
  }

  /** A thread's summary, pushed through its outbox; older or repeated pushes change nothing. */
  applyShell(workspaceId: string, summaryJson: string): boolean {
    this.rt.know(workspaceId)
    const summary = ThreadShell.parse(JSON.parse(summaryJson))
    const changed = applyShell(this.rt.db, summary, Date.now())
    if (changed) broadcastShell(this.rt, summary)
    return changed
  }

  listThreads(claims: Claims, workspaceId: string, archived: boolean): Reply {
    const refusal = readRefusal(claims, workspaceId)
    if (refusal) return fail(refusal)
    this.rt.know(workspaceId)
    return ok({ threads: listShell(this.rt.db, archived) })
  }

  providers(claims: Claims, workspaceId: string): Reply {
    const refusal = readRefusal(claims, workspaceId)
    if (refusal) return fail(refusal)
    this.rt.know(workspaceId)
    const runner = currentRunner(this.rt.db)
    const connected = currentControl(this.rt) !== undefined
    return ok({
      runner: runner ? { epoch: runner.epoch, runnerId: runner.runnerId, connected, connectedAt: runner.connectedAt } : null,
      providers: runner ? JSON.parse(runner.providers) : [],
    })
  }

  /** Whether `epoch` is the current runner; a current one's link to `threadId` is recorded. */
  checkEpoch(workspaceId: string, epoch: number, runnerId: string, threadId: string): boolean {
    this.rt.know(workspaceId)
    const current = currentRunner(this.rt.db)
    if (!current || current.epoch !== epoch || current.runnerId !== runnerId || current.fencedAt !== null) return false
    recordLink(this.rt.db, threadId, epoch, Date.now())
    return true
  }

  /** A thread has work for a runner: ask the connected runner to open a link to it. */
  requestAttach(workspaceId: string, threadId: string): void {
    this.rt.know(workspaceId)
    requestLink(this.rt.db, threadId, Date.now())
    const control = currentControl(this.rt)
    if (control) sendJson(control, { type: 'attach', threadId })
  }

  /** Closes the sockets of a revoked token or retired key here and on this workspace's threads; how many. */
  closeSockets(workspaceId: string, selector: SocketSelector): Promise<number> {
    this.rt.know(workspaceId)
    return closeWorkspaceSockets(this.rt, selector)
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
      return Response.json(loomError('upgrade_required', 'this endpoint takes WebSocket upgrades'), { status: 426 })
    }
    const claims = JSON.parse(request.headers.get(claimsHeader) ?? 'null') as Claims | null
    const workspaceId = request.headers.get(workspaceHeader)
    if (!claims || !workspaceId) return Response.json(loomError('unauthorized', 'no verified token'), { status: 401 })
    this.rt.know(workspaceId)
    const role = new URL(request.url).pathname.endsWith('/control') ? 'control' : 'client'
    const { 0: client, 1: server } = new WebSocketPair()
    this.ctx.acceptWebSocket(server, [role])
    server.serializeAttachment(
      role === 'control'
        ? ({ kind: 'control', claims, epoch: null, runnerId: null } satisfies ControlAttachment)
        : ({ kind: 'client', claims, subscribed: false } satisfies ShellAttachment),
    )
    const offered = (request.headers.get('Sec-WebSocket-Protocol') ?? '').split(',').map((p) => p.trim())
    const protocol = role === 'control' ? RUNNER_SUBPROTOCOL : CLIENT_SUBPROTOCOL
    const headers = offered.includes(protocol) ? { 'Sec-WebSocket-Protocol': protocol } : undefined
    return new Response(null, { status: 101, webSocket: client, ...(headers ? { headers } : {}) })
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const control = this.ctx.getTags(ws).includes('control')
    try {
      if (control) onControlMessage(this.rt, ws, message)
      else await onShellClientMessage(this.rt, ws, message)
    } catch (cause) {
      log.error('socket frame failed', { workspaceId: this.rt.workspaceId, control, cause })
      sendJson(ws, internalErrorFrame(message, control ? 'runner' : 'client'))
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason)
    } catch {
      // The peer is already gone; there is nothing left to close.
    }
  }
}
