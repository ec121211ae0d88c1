/**
 * @module The thread's one alarm, serving four timers: the runner lease of an active run,
 * idle release, request expiry, and redelivery of effects for other objects.
 */
import { isActiveStatus } from './status.ts'
import { nextObjectEffectAt } from '../store/thread/outbox.ts'
import type { ThreadRuntime } from './runtime.ts'
import { deliverObjectEffects } from './deliver.ts'

/** When the alarm must next fire, or null when nothing is pending. */
export const nextAlarmAt = (rt: ThreadRuntime): number | null => {
  const state = rt.core.state
  if (!state.thread) return null
  const times: number[] = []
  const runs = [...state.runs.values()]
  const active = runs.find((run) => isActiveStatus(run.status))
  if (active && active.runnerEpoch !== null) times.push(rt.lastRunnerContact + rt.config.leaseMs)
  const pending = [...state.runtimeRequests.values()].filter((r) => r.status === 'pending')
  for (const request of pending) if (request.expiresAt !== null) times.push(request.expiresAt)
  const liveSession = [...state.providerSessions.values()].some((s) => s.status !== 'stopped')
  if (!active && pending.length === 0 && liveSession) times.push(rt.lastActivity + rt.config.idleMs)
  const effectAt = nextObjectEffectAt(rt.core.db)
  if (effectAt !== null) times.push(effectAt)
  return times.length === 0 ? null : Math.min(...times)
}

/** Runs every timer that is due, then sets the next. */
export const runAlarm = async (rt: ThreadRuntime, now = Date.now()): Promise<void> => {
  rt.alarmFired()
  const state = rt.core.state
  if (state.thread) {
    if (rt.link) {
      // Runner pings are answered without waking the object; their time is read here.
      const pinged = rt.ctx.getWebSocketAutoResponseTimestamp(rt.link.ws)?.getTime() ?? 0
      rt.lastRunnerContact = Math.max(rt.lastRunnerContact, pinged)
    }
    const active = [...state.runs.values()].find((run) => isActiveStatus(run.status))
    if (active && active.runnerEpoch !== null && now >= rt.lastRunnerContact + rt.config.leaseMs) {
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
