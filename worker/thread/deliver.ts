/**
 * @module Delivering effects addressed to other objects (the workspace shell, fork seeds,
 * merge-backs) by RPC, retried with backoff until they are acknowledged.
 */
import { Effect } from '../../src/contracts/index.ts'
import { ackDelivered, dueObjectEffects, retryLater } from '../store/thread/outbox.ts'
import type { ThreadRuntime } from './runtime.ts'

export const deliverObjectEffects = async (rt: ThreadRuntime, now = Date.now()): Promise<void> => {
  if (rt.delivering) return
  rt.delivering = true
  try {
    for (const row of dueObjectEffects(rt.core.db, now)) {
      const effect = Effect.parse(JSON.parse(row.payload))
      try {
        const outcome = await deliverOne(rt, effect)
        ackDelivered(rt.core.db, row, outcome, Date.now())
      } catch (cause) {
        console.warn(JSON.stringify({ msg: 'effect delivery failed', effectId: row.effectId, kind: row.kind, attempts: row.attempts, cause: String(cause) }))
        retryLater(rt.core.db, row, Date.now())
      }
    }
  } finally {
    rt.delivering = false
  }
}

const deliverOne = async (rt: ThreadRuntime, effect: Effect): Promise<'acked' | 'failed'> => {
  const body = effect.body
  const env = rt.env
  switch (body.kind) {
    case 'shell.push': {
      const workspace = env.WORKSPACES.get(env.WORKSPACES.idFromName(body.shell.workspaceId))
      await workspace.applyShell(body.shell.workspaceId, JSON.stringify(body.shell))
      return 'acked'
    }
    case 'fork.seed': {
      const target = env.THREADS.get(env.THREADS.idFromName(body.targetThreadId))
      const error = await target.receiveSeed(body.seed)
      return error === null ? 'acked' : 'failed'
    }
    case 'merge_back.deliver': {
      const target = env.THREADS.get(env.THREADS.idFromName(body.targetThreadId))
      const error = await target.receiveMergeBack(body.delivery)
      return error === null ? 'acked' : 'failed'
    }
    default:
      throw new Error(`effect ${body.kind} is not for another object`)
  }
}
