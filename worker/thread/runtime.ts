/**
 * @module One thread object's moving parts, joined: the core (state and commits), its client
 * subscribers, its runner link, and what follows every commit (fan-out, effect delivery,
 * the workspace shell, the alarm).
 */
import { log } from '../log.ts'
import { CAPABILITIES, Command, EFFECT_ROUTING, loomError, statusOf, type LoomError } from '../../src/contracts/index.ts'
import { decide, decideSystem, type DecideContext, type SystemCommand } from '../../src/domain/thread/index.ts'
import { configOf, type Config, type Env } from '../env.ts'
import { coversWorkspace, hasScope, type Claims } from '../auth/claims.ts'
import { threadLimit } from './rate-limit.ts'
import { ThreadCore, type CommitInput, type Committed } from './core.ts'
import { ThreadClients } from './clients.ts'
import { findReceipt } from '../store/thread/receipts.ts'
import { cancelProcessBound, runnerEffectsPending } from '../store/thread/outbox.ts'
import { sendJson } from './frames.ts'
import { issuesOf } from '../middleware/errors/index.ts'
import { deliverObjectEffects } from './deliver.ts'
import { nextAlarmAt } from './alarm.ts'

/** The runner link that is up; `lastSeq` remembers its last committed batch (null: read it from storage). */
export type Link = { ws: WebSocket; epoch: number; runnerId: string; lastSeq: number | null }

/** How long effects for other objects wait, so a burst of commits makes one delivery. */
export const OBJECT_EFFECT_DELAY_MS = 100
/** When the alarm retries effects for other objects that the prompt delivery did not settle. */
export const OBJECT_EFFECT_BACKSTOP_MS = 2_000

/** An answer for the HTTP edge: a status and a JSON body, serialized once. */
export type Reply = { status: number; body: string }

export const ok = (value: unknown): Reply => ({ status: 200, body: JSON.stringify(value) })
export const fail = (error: LoomError): Reply => ({ status: statusOf(error.code), body: JSON.stringify(error) })

export class ThreadRuntime {
  readonly ctx: DurableObjectState
  readonly env: Env
  readonly config: Config
  readonly core: ThreadCore
  readonly clients: ThreadClients
  link: Link | null = null
  /** Last time the runner was heard from (batches, hellos); pings are read at alarm time. */
  lastRunnerContact = Date.now()
  /** Last commit, for idle release. */
  lastActivity = Date.now()
  /** When each streaming item's buffer row was last written. */
  readonly bufferWrittenAt = new Map<string, number>()
  /** Set while object effects are being delivered, so two deliveries never overlap. */
  delivering = false
  private scheduledAlarm: number | null = null
  private deliveryTimer: ReturnType<typeof setTimeout> | null = null
  private attachRequested = false

  constructor(ctx: DurableObjectState, env: Env) {
    this.ctx = ctx
    this.env = env
    this.config = configOf(env)
    this.core = new ThreadCore(ctx.storage)
    this.clients = new ThreadClients(ctx)
  }

  async load(): Promise<void> {
    await this.core.load()
    this.scheduledAlarm = await this.ctx.storage.getAlarm()
    // A woken object has no link in memory; its hibernated runner socket is found again here.
    for (const ws of this.ctx.getWebSockets('runner')) {
      const attachment = ws.deserializeAttachment() as { epoch: number | null; runnerId: string | null } | null
      if (attachment?.epoch && attachment.runnerId) this.link = { ws, epoch: attachment.epoch, runnerId: attachment.runnerId, lastSeq: null }
    }
  }

  context(actor: string, now = Date.now()): DecideContext {
    return { now, actor, runnerEpoch: this.link?.epoch ?? null, requestExpiryMs: this.config.requestExpiryMs, capabilities: (p) => CAPABILITIES[p] }
  }

  /** Commits, then publishes: nothing leaves the object before its commit. */
  commit(input: Omit<CommitInput, 'linkEpoch'>): Committed {
    const committed = this.core.commit({ ...input, linkEpoch: this.link?.epoch ?? null })
    this.publish(committed)
    return committed
  }

  private publish({ stored, effects }: Committed): void {
    if (stored.length > 0) this.lastActivity = Date.now()
    const threadId = this.core.threadId as string
    this.clients.broadcastEvents(threadId, stored)
    let objectEffects = false
    for (const effect of effects) {
      const route = EFFECT_ROUTING[effect.body.kind]
      if (route.target !== 'runner') objectEffects = true
      else if (this.link) sendJson(this.link.ws, { type: 'effect', effect })
    }
    if (objectEffects) this.deliverSoon()
    this.requestRunnerIfNeeded()
    this.ctx.waitUntil(this.scheduleAlarm())
  }

  /** With work waiting for a runner (a queued run, or a deleted thread's cleanup) and no link, ask the workspace to send one. */
  requestRunnerIfNeeded(): void {
    if (this.link || this.attachRequested || !this.core.state.thread) return
    const waiting =
      this.core.state.thread.deletedAt !== null
        ? runnerEffectsPending(this.core.db)
        : [...this.core.state.runs.values()].some((run) => run.status === 'queued' && run.queueReason === 'awaiting_runner')
    if (!waiting) return
    this.attachRequested = true
    const thread = this.core.state.thread
    const workspace = this.env.WORKSPACES.get(this.env.WORKSPACES.idFromName(thread.workspaceId))
    this.ctx.waitUntil(
      workspace.requestAttach(thread.workspaceId, thread.id).catch((cause: unknown) => {
        this.attachRequested = false
        log.warn('attach request failed', { threadId: thread.id, workspaceId: thread.workspaceId, cause })
      }),
    )
  }

  /**
   * Delivers effects for other objects shortly after the reply, coalescing a burst of commits
   * into one round (the shell row holds only the latest summary). The alarm is the backstop.
   */
  deliverSoon(): void {
    if (this.deliveryTimer !== null) return
    this.deliveryTimer = setTimeout(() => {
      this.deliveryTimer = null
      this.ctx.waitUntil(deliverObjectEffects(this))
    }, OBJECT_EFFECT_DELAY_MS)
  }

  linkUp(link: Link): void {
    this.link = link
    this.attachRequested = false
    this.lastRunnerContact = Date.now()
  }

  async scheduleAlarm(): Promise<void> {
    const at = nextAlarmAt(this)
    if (at === null) return
    if (this.scheduledAlarm !== null && this.scheduledAlarm <= at) return
    this.scheduledAlarm = at
    await this.ctx.storage.setAlarm(at)
  }

  alarmFired(): void {
    this.scheduledAlarm = null
  }

  /** A user command from HTTP or a socket: receipts first, then the decider, then the commit. */
  dispatch(claims: Claims, raw: unknown): Reply {
    if (!hasScope(claims, 'operate')) return fail(loomError('forbidden', 'dispatching commands needs the operate scope'))
    const parsed = Command.safeParse(raw)
    if (!parsed.success) return fail(loomError('invalid_request', 'the command is not valid', { issues: issuesOf(parsed.error.issues) }))
    return this.dispatchValid(claims, parsed.data)
  }

  /** A command the Worker has already validated against `Command` (HTTP), so it is not parsed twice. */
  dispatchValid(claims: Claims, command: Command): Reply {
    if (!hasScope(claims, 'operate')) return fail(loomError('forbidden', 'dispatching commands needs the operate scope'))
    // HTTP routes by the command's threadId; a socket of one thread could name another, which
    // this object must not apply to its own thread (nor create under its name).
    const addressedAs = this.core.threadId ?? this.ctx.id.name ?? null
    if (addressedAs !== null && command.threadId !== addressedAs) {
      return fail(loomError('invalid_request', `this is thread ${addressedAs}; the command names thread ${command.threadId}`, { path: ['threadId'] }))
    }
    const thread = this.core.state.thread
    const workspaceId = command.type === 'thread.create' && thread === null ? command.workspaceId : thread?.workspaceId
    if (workspaceId !== undefined && !coversWorkspace(claims, workspaceId)) {
      return fail(loomError('forbidden', `the token does not cover workspace ${workspaceId}`))
    }
    const limited = threadLimit(this, this.env, Date.now())
    if (limited) return fail(limited)
    const receipt = findReceipt(this.core.db, command.commandId)
    if (receipt) return receipt.error ? fail(receipt.error) : ok({ sequence: receipt.sequence })
    const decision = decide(this.core.state, command, this.context(claims.sub), this.core.sequence)
    if (!decision.ok) {
      // Refusals are remembered (a repeat gets the same answer), except where nothing exists
      // to remember them in, and conflicts, which a client resolves by reading and retrying.
      if (thread !== null && decision.error.code !== 'sequence_conflict') {
        this.core.reject(command.commandId, command.type, decision.error, Date.now())
      }
      return fail(decision.error)
    }
    const committed = this.commit({
      events: decision.events,
      effects: decision.effects,
      commandId: command.commandId,
      commandType: command.type,
      actor: claims.sub,
      now: Date.now(),
    })
    return ok({ sequence: committed.stored.at(-1)?.sequence ?? this.core.sequence })
  }

  /** A command the object gives itself. Returns the error when the decider refuses. */
  system(command: SystemCommand, actor = 'system', now = Date.now()): LoomError | null {
    const decision = decideSystem(this.core.state, command, this.context(actor, now))
    if (!decision.ok) return decision.error
    const also = command.type === 'runner.lost' ? (db: Parameters<NonNullable<CommitInput['also']>>[0]) => cancelProcessBound(db, command.epoch, now) : undefined
    if (decision.events.length === 0) {
      if (also) this.ctx.storage.transactionSync(() => also(this.core.db))
      return null
    }
    this.commit({ events: decision.events, effects: decision.effects, commandId: null, actor, now, ...(also ? { also } : {}) })
    return null
  }
}
