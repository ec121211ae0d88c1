/**
 * @module The thread's end of a runner link: hello (protocol version and epoch checked with
 * the workspace), sequenced batches of runtime events (duplicates acknowledged and ignored,
 * gaps and stale epochs refused), and ephemeral text deltas.
 */
import { log } from '../log.ts'
import {
  Effect,
  LinkClientFrame,
  RUNNER_PROTOCOL_VERSION,
  deriveId,
  loomError,
  type DomainEvent,
  type EffectBody,
  type LoomError,
} from '../../src/contracts/index.ts'
import { evolve, ingest } from '../../src/domain/thread/index.ts'
import { coversWorkspace, hasScope, type Claims } from '../auth/claims.ts'
import { lastBatch, recordBatch } from '../store/thread/producers.ts'
import { findEffect, markDelivered, runnerEffectsToSend, setEffectStatus } from '../store/thread/outbox.ts'
import { dropBuffer, writeBuffer } from '../store/thread/buffer.ts'
import { storeDiffPart } from '../store/thread/diffs.ts'
import { parseFrame, sendJson } from './frames.ts'
import { isActiveStatus } from './status.ts'
import type { Link, ThreadRuntime } from './runtime.ts'

const BUFFER_WRITE_INTERVAL_MS = 1_000

/** `helloAt` outlives the object's memory on a hibernated link, for the lease (alarm.ts). */
export type RunnerAttachment = { kind: 'runner'; claims: Claims; epoch: number | null; runnerId: string | null; helloAt?: number }

const refuse = (ws: WebSocket, error: LoomError, close = false): void => {
  sendJson(ws, { type: 'refused', error })
  if (close) ws.close(4000 + (error.code === 'stale_epoch' ? 9 : 0), error.code)
}

export const onRunnerMessage = async (rt: ThreadRuntime, ws: WebSocket, message: string | ArrayBuffer): Promise<void> => {
  const parsed = LinkClientFrame.safeParse(parseFrame(message))
  if (!parsed.success) {
    refuse(ws, loomError('invalid_request', 'not a runner link frame', { issues: parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path, message: i.message })) }))
    return
  }
  const frame = parsed.data
  if (frame.type === 'hello') return hello(rt, ws, ws.deserializeAttachment() as RunnerAttachment, frame)
  // The current link holds the epoch and runner its hello set (also on its attachment), so
  // frames after the hello need not deserialize the attachment.
  const link = rt.link
  if (link?.ws !== ws) return refuse(ws, loomError('stale_epoch', 'this link is not the thread\'s current runner link; say hello again'), true)
  rt.lastRunnerContact = Date.now()
  if (frame.type === 'batch') batch(rt, ws, link, frame)
  else if (frame.type === 'diff') {
    const { type: _type, ...part } = frame
    storeDiffPart(rt.core.db, part, Date.now())
    sendJson(ws, { type: 'diff.stored', subject: frame.subject, id: frame.id, part: frame.part })
  } else delta(rt, frame)
}

const hello = async (rt: ThreadRuntime, ws: WebSocket, attachment: RunnerAttachment, frame: Extract<LinkClientFrame, { type: 'hello' }>) => {
  if (frame.protocolVersion !== RUNNER_PROTOCOL_VERSION) {
    return refuse(
      ws,
      loomError('protocol_version_mismatch', `the worker speaks runner protocol ${RUNNER_PROTOCOL_VERSION}, the runner speaks ${frame.protocolVersion}`, {
        worker: RUNNER_PROTOCOL_VERSION,
        runner: frame.protocolVersion,
      }),
      true,
    )
  }
  const thread = rt.core.state.thread
  // A deleted thread still takes the link that carries out what its deletion asked of the runner.
  const cleanupDue = thread?.deletedAt != null && runnerEffectsToSend(rt.core.db, frame.epoch).length > 0
  if (!thread || (thread.deletedAt !== null && !cleanupDue)) return refuse(ws, loomError('thread_not_found', 'the thread does not exist'), true)
  if (!hasScope(attachment.claims, 'runner') || !coversWorkspace(attachment.claims, thread.workspaceId)) {
    return refuse(ws, loomError('forbidden', `the token may not serve workspace ${thread.workspaceId}`), true)
  }
  const workspace = rt.env.WORKSPACES.get(rt.env.WORKSPACES.idFromName(thread.workspaceId))
  const current = await workspace.checkEpoch(thread.workspaceId, frame.epoch, frame.runnerId, thread.id)
  if (!current) return refuse(ws, loomError('stale_epoch', `epoch ${frame.epoch} is not the workspace's current runner`), true)
  const previous = rt.link
  if (previous && previous.ws !== ws) {
    try {
      previous.ws.close(4009, 'replaced by a newer link')
    } catch (cause) {
      log.warn('closing replaced link failed', { cause })
    }
  }
  ws.serializeAttachment({ ...attachment, epoch: frame.epoch, runnerId: frame.runnerId, helloAt: Date.now() } satisfies RunnerAttachment)
  const lastSeq = lastBatch(rt.core.db, frame.epoch)
  rt.linkUp({ ws, epoch: frame.epoch, runnerId: frame.runnerId, lastSeq })
  // Runs an older process was serving end now: the new process is already here.
  const stale = [...rt.core.state.runs.values()].find((r) => isActiveStatus(r.status) && r.runnerEpoch !== null && r.runnerEpoch < frame.epoch)
  if (stale?.runnerEpoch) rt.system({ type: 'runner.lost', epoch: stale.runnerEpoch, reason: 'fenced' })
  sendJson(ws, { type: 'welcome', protocolVersion: RUNNER_PROTOCOL_VERSION, lastSeq })
  const rows = runnerEffectsToSend(rt.core.db, frame.epoch)
  for (const row of rows) sendJson(ws, { type: 'effect', effect: Effect.parse(JSON.parse(row.payload)) })
  // Rows the runner already accepted keep that status (a redelivery is not a step back).
  const fresh = rows.filter((r) => r.status !== 'accepted').map((r) => r.effectId)
  if (fresh.length > 0) rt.ctx.storage.transactionSync(() => markDelivered(rt.core.db, fresh, frame.epoch, Date.now()))
  rt.system({ type: 'runner.linked', epoch: frame.epoch })
}

const EFFECT_STATUS = { 'effect.accepted': 'accepted', 'effect.completed': 'acked', 'effect.failed': 'failed' } as const

const batch = (rt: ThreadRuntime, ws: WebSocket, link: Link, frame: Extract<LinkClientFrame, { type: 'batch' }>): void => {
  const core = rt.core
  const { epoch, runnerId } = link
  if (frame.epoch !== epoch) return refuse(ws, loomError('stale_epoch', `batch epoch ${frame.epoch} is not this link's epoch ${epoch}`), true)
  const last = (link.lastSeq ??= lastBatch(core.db, epoch))
  if (frame.seq <= last) {
    sendJson(ws, { type: 'ack', seq: last })
    return
  }
  if (frame.seq !== last + 1) return refuse(ws, loomError('sequence_gap', `expected batch ${last + 1}, got ${frame.seq}`, { expectedSeq: last + 1 }))
  const now = Date.now()
  const events: DomainEvent[] = []
  const effects: EffectBody[] = []
  const statuses: Array<[string, (typeof EFFECT_STATUS)[keyof typeof EFFECT_STATUS]]> = []
  const finishedItems: string[] = []
  const context = { ...rt.context(`runner:${runnerId}`, now), epoch, effectBody: (id: string) => effectBody(rt, id) }
  for (const event of frame.events) {
    if (event.type === 'effect.accepted' || event.type === 'effect.completed' || event.type === 'effect.failed') {
      statuses.push([event.effectId, EFFECT_STATUS[event.type]])
    }
    const result = ingest(core.state, event, context)
    if (result.dropped) log.info('runtime event dropped', { threadId: core.threadId, type: event.type, reason: result.dropped })
    // Later events of the batch must see the earlier ones; commit() reloads on failure.
    for (const e of result.events) evolve(core.state, e)
    events.push(...result.events)
    effects.push(...result.effects)
    if (event.type === 'item.updated' && event.status !== 'running') {
      const run = core.state.runs.get(event.runId)
      if (run) finishedItems.push(deriveId.item(run.provider, event.nativeItemId))
    }
  }
  try {
    rt.commit({
      events,
      effects,
      commandId: null,
      actor: `runner:${runnerId}`,
      now,
      also: (db) => {
        recordBatch(db, epoch, runnerId, frame.seq, now)
        for (const [effectId, status] of statuses) setEffectStatus(db, effectId, status, now)
        for (const itemId of finishedItems) if (core.buffer.has(itemId)) dropBuffer(db, itemId)
      },
    })
  } catch (cause) {
    log.error('batch commit failed', { threadId: core.threadId, seq: frame.seq, cause })
    return refuse(ws, loomError('internal_error', 'the batch could not be committed; resend it'))
  }
  link.lastSeq = frame.seq
  for (const itemId of finishedItems) {
    core.buffer.delete(itemId)
    rt.bufferWrittenAt.delete(itemId)
  }
  sendJson(ws, { type: 'ack', seq: frame.seq })
}

const effectBody = (rt: ThreadRuntime, effectId: string): EffectBody | undefined => {
  const row = findEffect(rt.core.db, effectId)
  return row ? Effect.parse(JSON.parse(row.payload)).body : undefined
}

/** Appends streaming text at its offset; overlaps are trimmed, gaps wait for the item's event. */
const delta = (rt: ThreadRuntime, frame: Extract<LinkClientFrame, { type: 'delta' }>) => {
  const core = rt.core
  const item = core.state.turnItems.get(frame.itemId)
  if (!item || item.status !== 'running') return
  const current = core.buffer.get(frame.itemId) ?? ''
  if (frame.offset > current.length) return
  const fresh = frame.text.slice(current.length - frame.offset)
  if (fresh === '') return
  const text = current + fresh
  core.buffer.set(frame.itemId, text)
  // The buffer only serves a snapshot taken after a restart mid-stream; the item's own event
  // carries the whole text. Writing it at most once a second keeps a long reply to a few rows.
  const now = Date.now()
  if (now - (rt.bufferWrittenAt.get(frame.itemId) ?? 0) >= BUFFER_WRITE_INTERVAL_MS) {
    writeBuffer(core.db, frame.itemId, text, now)
    rt.bufferWrittenAt.set(frame.itemId, now)
  }
  rt.clients.broadcastDelta(core.threadId as string, frame.itemId, current.length, fresh)
}

export const onRunnerClose = (rt: ThreadRuntime, ws: WebSocket): void => {
  if (rt.link?.ws === ws) rt.link = null
}

/** Forgets the link of `epoch`, if it is the current one, and closes its socket. */
export const dropLink = (rt: ThreadRuntime, epoch: number, code: number, reason: string): void => {
  if (rt.link?.epoch !== epoch) return
  const ws = rt.link.ws
  rt.link = null
  try {
    ws.close(code, reason)
  } catch (cause) {
    log.warn('closing a runner link failed', { reason, cause })
  }
}

/** The workspace issued a newer epoch: this thread's runs on `epoch` end now. */
export const fence = (rt: ThreadRuntime, epoch: number): void => {
  dropLink(rt, epoch, 4009, 'fenced by a newer runner')
  if (rt.core.state.thread) rt.system({ type: 'runner.lost', epoch, reason: 'fenced' })
}
