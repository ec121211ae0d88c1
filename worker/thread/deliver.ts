/**
 * @module Delivering effects addressed to other objects (the workspace shell, fork seeds,
 * merge-backs) by RPC, retried with backoff until they are acknowledged. What became of a
 * transfer is recorded on this thread, so a refused fork never waits silently.
 */
import { log } from '../log.ts'
import { Effect, type LoomError } from '../../src/contracts/index.ts'
import { ackDelivered, dueObjectEffects, retryLater } from '../store/thread/outbox.ts'
import type { ThreadRuntime } from './runtime.ts'

type Outcome = { status: 'acked' | 'failed'; transfer: { id: string; error: LoomError | null } | null }

export const deliverObjectEffects = async (rt: ThreadRuntime, now = Date.now()): Promise<void> => {
  if (rt.delivering) return
  rt.delivering = true
  try {
    for (const row of dueObjectEffects(rt.core.db, now)) {
      const effect = Effect.parse(JSON.parse(row.payload))
      let outcome: Outcome
      try {
        outcome = await deliverOne(rt, effect)
      } catch (cause) {
        log.warn('effect delivery failed', { effectId: row.effectId, kind: row.kind, attempts: row.attempts, cause })
        retryLater(rt.core.db, row, Date.now())
        continue
      }
      ackDelivered(rt.core.db, row, outcome.status, Date.now())
      if (outcome.transfer) {
        const { id, error } = outcome.transfer
        rt.system({ type: 'transfer.outcome', transferId: id, delivered: error === null, error: error?.message ?? null })
      }
    }
  } finally {
    rt.delivering = false
  }
}

const transferIdOf = (json: string): string => (JSON.parse(json) as { transfer: { id: string } }).transfer.id

const deliverOne = async (rt: ThreadRuntime, effect: Effect): Promise<Outcome> => {
  const body = effect.body
  const env = rt.env
  switch (body.kind) {
    case 'shell.push': {
      const workspace = env.WORKSPACES.get(env.WORKSPACES.idFromName(body.shell.workspaceId))
      await workspace.applyShell(body.shell.workspaceId, JSON.stringify(body.shell))
      return { status: 'acked', transfer: null }
    }
    case 'fork.seed': {
      const error = await env.THREADS.get(env.THREADS.idFromName(body.targetThreadId)).receiveSeed(body.seed)
      return { status: error === null ? 'acked' : 'failed', transfer: { id: transferIdOf(body.seed), error } }
    }
    case 'merge_back.deliver': {
      const error = await env.THREADS.get(env.THREADS.idFromName(body.targetThreadId)).receiveMergeBack(body.delivery)
      return { status: error === null ? 'acked' : 'failed', transfer: { id: transferIdOf(body.delivery), error } }
    }
    default:
      throw new Error(`effect ${body.kind} is not for another object`)
  }
}
