/**
 * @module The per-thread command limit: one token bucket per ThreadObject, in memory (one object
 * per thread, so it holds across isolates). An evicted object starts with a full bucket.
 */
import type { LoomError } from '../../src/contracts/index.ts'
import { take, type Bucket } from '../middleware/rate-limit/bucket.ts'
import { rateLimited, threadRateOf } from '../middleware/rate-limit/index.ts'
import type { Env } from '../env.ts'

const buckets = new WeakMap<object, Bucket>()

/** Takes one command from `thread`'s bucket; the refusal when it is empty, else null. */
export const threadLimit = (thread: object, env: Env, now: number): LoomError | null => {
  const rate = threadRateOf(env)
  if (!rate) return null
  const result = take(buckets.get(thread), rate, now)
  buckets.set(thread, result.bucket)
  return result.retryAfterMs > 0 ? rateLimited('thread', result.retryAfterMs) : null
}
