/**
 * @module The runner control socket: hello (a new process gets a new epoch and every older
 * epoch is fenced at once; a reconnect keeps its epoch), provider status, attach requests.
 */
import { log } from '../log.ts'
import { ControlClientFrame, RUNNER_PROTOCOL_VERSION, loomError, type LoomError } from '../../src/contracts/index.ts'
import { coversWorkspace, hasScope, type Claims } from '../auth/claims.ts'
import { parseFrame, sendJson } from '../thread/frames.ts'
import { currentRunner, issueEpoch, setProviders } from '../store/workspace/runners.ts'
import { pendingLinks, takeLinksBefore } from '../store/workspace/links.ts'
import type { WorkspaceRuntime } from './runtime.ts'

export type ControlAttachment = { kind: 'control'; claims: Claims; epoch: number | null; runnerId: string | null }

const refuse = (ws: WebSocket, error: LoomError): void => {
  sendJson(ws, { type: 'refused', error })
  ws.close(4000 + (error.code === 'stale_epoch' ? 9 : 0), error.code)
}

export const onControlMessage = (rt: WorkspaceRuntime, ws: WebSocket, message: string | ArrayBuffer): void => {
  const parsed = ControlClientFrame.safeParse(parseFrame(message))
  if (!parsed.success) {
    sendJson(ws, { type: 'refused', error: loomError('invalid_request', 'not a control frame', { issues: parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path, message: i.message })) }) })
    return
  }
  const frame = parsed.data
  const attachment = ws.deserializeAttachment() as ControlAttachment
  if (frame.type === 'status') {
    if (attachment.epoch === null) return refuse(ws, loomError('invalid_request', 'say hello first'))
    setProviders(rt.db, attachment.epoch, frame.providers)
    return
  }
  if (frame.protocolVersion !== RUNNER_PROTOCOL_VERSION) {
    return refuse(
      ws,
      loomError('protocol_version_mismatch', `the worker speaks runner protocol ${RUNNER_PROTOCOL_VERSION}, the runner speaks ${frame.protocolVersion}`, {
        worker: RUNNER_PROTOCOL_VERSION,
        runner: frame.protocolVersion,
      }),
    )
  }
  const workspaceId = rt.workspaceId
  if (!hasScope(attachment.claims, 'runner') || !coversWorkspace(attachment.claims, workspaceId)) {
    return refuse(ws, loomError('forbidden', `the token may not serve workspace ${workspaceId}`))
  }
  let epoch: number
  if (frame.epoch === null) {
    epoch = rt.ctx.storage.transactionSync(() => issueEpoch(rt.db, frame.runnerId, Date.now()))
    // Fence at once: a new process is here, so nothing waits for the old one's lease.
    for (const link of rt.ctx.storage.transactionSync(() => takeLinksBefore(rt.db, epoch))) {
      const thread = rt.env.THREADS.get(rt.env.THREADS.idFromName(link.threadId))
      rt.ctx.waitUntil(
        thread.fence(link.epoch).catch((cause: unknown) => log.warn('fence failed', { threadId: link.threadId, epoch: link.epoch, cause })),
      )
    }
  } else {
    const current = currentRunner(rt.db)
    if (!current || current.epoch !== frame.epoch || current.runnerId !== frame.runnerId) {
      return refuse(ws, loomError('stale_epoch', `epoch ${frame.epoch} is not the current runner of workspace ${workspaceId}`, { current: current?.epoch ?? null }))
    }
    epoch = frame.epoch
  }
  // One control socket per workspace: an older process's, or this process's own stale one from
  // before its reconnect (half-open sockets linger), would otherwise take its attach requests.
  for (const other of rt.ctx.getWebSockets('control')) {
    if (other === ws || (other.deserializeAttachment() as ControlAttachment).epoch === null) continue
    try {
      other.close(4009, frame.epoch === null ? 'replaced by a newer runner process' : 'replaced by a reconnect of the same runner')
    } catch (cause) {
      log.warn('closing a replaced control socket failed', { cause })
    }
  }
  ws.serializeAttachment({ ...attachment, epoch, runnerId: frame.runnerId } satisfies ControlAttachment)
  sendJson(ws, { type: 'welcome', protocolVersion: RUNNER_PROTOCOL_VERSION, epoch, workspaceId })
  for (const threadId of pendingLinks(rt.db)) sendJson(ws, { type: 'attach', threadId })
  log.info('runner connected', { workspaceId, epoch, runnerId: frame.runnerId, resumed: frame.epoch !== null })
}

/** The control socket of the current epoch, if one is connected. */
export const currentControl = (rt: WorkspaceRuntime): WebSocket | undefined => {
  const epoch = currentRunner(rt.db)?.epoch
  return rt.ctx.getWebSockets('control').find((ws) => (ws.deserializeAttachment() as ControlAttachment).epoch === epoch)
}
