/**
 * @module Test support: a Claude thread driven end to end by a replayed transcript. The domain
 * decides (src/domain/testing's ThreadWorld), a small host routes its runner effects to a real
 * ClaudeSession opened through ClaudeAdapter on the replay transport (replay-query.ts), and the
 * session's runtime events fold back into the world, as runner/sessions/thread-sessions.ts does.
 * The native log of the live session is kept as a transcript (a fixture in the making).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Effect, EffectBody, RuntimeEvent } from '../../src/contracts/index.ts'
import { ThreadWorld, type Step } from '../../src/domain/testing/decider-spec.ts'
import { create, linked, THREAD } from '../../src/domain/testing/steps.ts'
import type { ProviderSession } from '../adapter.ts'
import type { NativeLog } from '../native-log.ts'
import type { Transcript, TranscriptEntry } from '../replay/index.ts'
import { failureOf } from '../sessions/failure-of.ts'
import { ClaudeAdapter } from './adapter.ts'
import { replayQuery, type ClaudeReplayOptions, type Replay } from './replay-query.ts'

export type ReplayedThreadOptions = ClaudeReplayOptions & {
  /** How long the session waits for an interrupt before ending the run by force (default 20 ms). */
  interruptGraceMs?: number
}

export class ReplayedThread {
  readonly world = new ThreadWorld()
  readonly replay: Replay
  /** Runtime events the session reported, in order. */
  readonly events: RuntimeEvent[] = []
  /** Runtime events the domain refused. */
  readonly refused: string[] = []
  /** The live session's native log, in the transcript format. */
  readonly native: TranscriptEntry[] = []
  private readonly adapter: ClaudeAdapter
  private readonly root = mkdtempSync(join(tmpdir(), 'loom-claude-thread-'))
  private session: Promise<ProviderSession> | null = null
  private routed = 0
  private queue: Promise<void> = Promise.resolve()
  private readonly waiters = new Set<() => void>()
  private readonly transcript: Transcript

  constructor(transcript: Transcript, options: ReplayedThreadOptions) {
    this.transcript = transcript
    this.replay = replayQuery(transcript, options)
    this.adapter = new ClaudeAdapter({ queryFn: this.replay.queryFn, interruptGraceMs: options.interruptGraceMs ?? 20 })
    this.step(create({ provider: 'claude' }))
    this.step(linked())
  }

  /** Applies a command or system step; it must be accepted. Its runner effects are carried out in order. */
  step(step: Step): void {
    const outcome = this.world.apply(step)
    if (!outcome.ok) throw new Error(`step refused: ${outcome.error.code}: ${outcome.error.message}`)
    this.route()
  }

  /** Resolves once `check` holds for the world; rejects on a replay failure or after `timeoutMs` (real time). */
  until(what: string, check: (world: ThreadWorld) => boolean, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const probe = () => {
        const failure = this.replay.failures[0]
        if (failure) return done(failure)
        if (check(this.world)) return done(null)
      }
      const timer = setTimeout(() => done(new Error(`${what}: not within ${timeoutMs} ms; runtime events: ${this.events.map((e) => e.type).join(', ')}`)), timeoutMs)
      const done = (error: Error | null) => {
        clearTimeout(timer)
        this.waiters.delete(probe)
        if (error) reject(error)
        else resolve()
      }
      this.waiters.add(probe)
      probe()
    })
  }

  /** Waits for the effects in flight, closes the session, and checks the replay consumed the transcript. */
  async finish(): Promise<void> {
    await this.settled()
    const session = this.session
    this.session = null
    if (session) await (await session).close('test_end')
    await this.settled()
    rmSync(this.root, { recursive: true, force: true })
    this.replay.assertComplete()
  }

  /** The native log as a transcript (header from the replayed one). */
  nativeTranscript(): Transcript {
    return { name: `${this.transcript.name} (live)`, header: this.transcript.header, entries: [...this.native] }
  }

  private async settled(): Promise<void> {
    let seen: Promise<void> | null = null
    while (seen !== this.queue) {
      seen = this.queue
      await seen
    }
  }

  private readonly log: NativeLog = {
    outbound: (frame) => this.native.push({ type: 'expect_outbound', frame, line: this.native.length + 2 }),
    inbound: (frame) => this.native.push({ type: 'emit_inbound', frame, line: this.native.length + 2 }),
    exit: (status, error) => this.native.push(error === undefined ? { type: 'runtime_exit', status, line: this.native.length + 2 } : { type: 'runtime_exit', status, error, line: this.native.length + 2 }),
  }

  private ingest(event: RuntimeEvent): void {
    this.events.push(event)
    const outcome = this.world.apply({ runtime: event })
    if (!outcome.ok) this.refused.push(`${event.type}: ${outcome.error.code}: ${outcome.error.message}`)
    this.route()
  }

  private route(): void {
    for (const effect of this.world.outbox.slice(this.routed)) this.queue = this.queue.then(() => this.carryOut(effect))
    this.routed = this.world.outbox.length
    for (const probe of [...this.waiters]) probe()
  }

  private async carryOut(effect: Effect): Promise<void> {
    try {
      if (!(await this.handle(effect.body))) return
      this.ingest({ type: 'effect.completed', effectId: effect.effectId })
    } catch (cause) {
      this.ingest({ type: 'effect.failed', effectId: effect.effectId, failure: failureOf(cause) })
    }
  }

  /** Carries out a runner effect; false for effects that are not the runner's. */
  private async handle(body: EffectBody): Promise<boolean> {
    switch (body.kind) {
      case 'turn.start':
        await (await this.open()).startTurn(body)
        return true
      case 'turn.steer':
        await (await this.open()).steerTurn(body)
        return true
      case 'turn.interrupt':
        await (await this.open()).interruptTurn(body)
        return true
      case 'request.respond':
        await (await this.open()).respond(body)
        return true
      case 'thread.rollback':
        if (body.providerThread) await (await this.open()).rollback(body)
        return true
      case 'session.close': {
        const session = this.session
        this.session = null
        if (session) await (await session).close(body.reason)
        return true
      }
      default:
        return false
    }
  }

  private open(): Promise<ProviderSession> {
    this.session ??= this.adapter.openSession({
      threadId: THREAD,
      cwd: join(this.root, 'work'),
      stateDir: join(this.root, 'state'),
      providerEnv: {},
      emit: (event) => this.ingest(event),
      delta: () => undefined,
      log: this.log,
    })
    return this.session
  }
}
