/**
 * @module The thread's one alarm, serving four timers: the runner lease of an active run,
 * idle release, request expiry, and redelivery of effects for other objects.
 *
 * The timers count from what storage remembers, not only from this instance's memory: an
 * alarm often wakes an evicted object, and a fresh instance that took its own start for the
 * last runner contact or the last commit would push the lease and idle release out again on
 * every wake, so neither would ever fire under hibernation.
 */
import type { Run } from '../../src/contracts/index.ts'
import { isActiveStatus } from './status.ts'
import { nextObjectEffectAt } from '../store/thread/outbox.ts'
import { lastCommitAt } from '../store/thread/read.ts'
import { lastBatchAt } from '../store/thread/producers.ts'
import { OBJECT_EFFECT_BACKSTOP_MS, type ThreadRuntime } from './runtime.ts'
import { deliverObjectEffects } from './deliver.ts'
import { dropLink, type RunnerAttachment } from './link.ts'

/**
 * When the runner serving `run` was last heard from: live messages and hellos of this
 * instance, pings answered while the object slept, the hello kept on a hibernated link, the
 * last batch committed for the run's epoch, and the start of its current attempt (a run is
 * never older news than its own start).
 */
export const runnerContactAt = (rt: ThreadRuntime, run: Run): number => {
  const attempt = run.activeAttemptId ? rt.core.state.attempts.get(run.activeAttemptId) : undefined
  let at = Math.max(rt.lastRunnerContact, attempt?.startedAt ?? 0, run.startedAt ?? 0)
  if (run.runnerEpoch === null) return at
  const batchAt = lastBatchAt(rt.core.db, run.runnerEpoch)
  if (batchAt !== undefined) at = Math.max(at, batchAt)
  if (rt.link?.epoch === run.runnerEpoch) {
    // Runner pings are answered without waking the object; their time is read here.
    at = Math.max(at, rt.ctx.getWebSocketAutoResponseTimestamp(rt.link.ws)?.getTime() ?? 0)
    at = Math.max(at, (rt.link.ws.deserializeAttachment() as RunnerAttachment | null)?.helloAt ?? 0)
  }
  return at
}

/** After a (re)load: what memory cannot know yet is taken from storage (see the module note). */
export const restoreTimers = (rt: ThreadRuntime): void => {
  rt.lastRunnerContact = 0
  const lastCommit = lastCommitAt(rt.core.db)
  if (lastCommit !== undefined) rt.lastActivity = lastCommit
}

/** When the alarm must next fire, or null when nothing is pending. */
export const nextAlarmAt = (rt: ThreadRuntime): number | null => {
  const state = rt.core.state
  if (!state.thread) return null
  const times: number[] = []
  const runs = [...state.runs.values()]
  const active = runs.find((run) => isActiveStatus(run.status))
  if (active && active.runnerEpoch !== null) times.push(runnerContactAt(rt, active) + rt.config.leaseMs)
  const pending = [...state.runtimeRequests.values()].filter((r) => r.status === 'pending')
  for (const request of pending) if (request.expiresAt !== null) times.push(request.expiresAt)
  const liveSession = [...state.providerSessions.values()].some((s) => s.status !== 'stopped')
  if (!active && pending.length === 0 && liveSession) times.push(rt.lastActivity + rt.config.idleMs)
  const effectAt = nextObjectEffectAt(rt.core.db)
  // Due effects are delivered right after their commit; the alarm only retries what is left.
  if (effectAt !== null) times.push(Math.max(effectAt, Date.now() + OBJECT_EFFECT_BACKSTOP_MS))
  return times.length === 0 ? null : Math.min(...times)
}

/** Runs every timer that is due, then sets the next. */
export const runAlarm = async (rt: ThreadRuntime, now = Date.now()): Promise<void> => {
  rt.alarmFired()
  const state = rt.core.state
  if (state.thread) {
    const active = [...state.runs.values()].find((run) => isActiveStatus(run.status))
    if (active && active.runnerEpoch !== null && now >= runnerContactAt(rt, active) + rt.config.leaseMs) {
      // A runner silent past its lease is gone, even with its socket still open: dropping the
      // link makes the commit below ask the workspace for a runner for whatever is queued, and
      // a runner that was only stalled says hello again (which starts the queue).
      dropLink(rt, active.runnerEpoch, 4008, 'runner lease expired; say hello again')
      rt.system({ type: 'runner.lost', epoch: active.runnerEpoch, reason: 'lease_expired' }, 'system', now)
    }
    if ([...state.runtimeRequests.values()].some((r) => r.status === 'pending' && r.expiresAt !== null && r.expiresAt <= now)) {
      rt.system({ type: 'requests.expire' }, 'system', now)
    }
    if (now >= rt.lastActivity + rt.config.idleMs) rt.system({ type: 'idle.release' }, 'system', now)
  }
  await deliverObjectEffects(rt, now)
  await rt.scheduleAlarm()
}
