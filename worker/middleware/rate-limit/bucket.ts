/** @module A token bucket, pure: `perMinute` refill, up to `burst` saved; time comes in as `now`. */

export type Rate = { perMinute: number; burst: number }
export type Bucket = { tokens: number; at: number }
/** `retryAfterMs` is 0 when the request may pass. */
export type Take = { bucket: Bucket; retryAfterMs: number }

/** Takes one token for this request after debiting `spent` already served (the balance may go negative). */
export const take = (bucket: Bucket | undefined, rate: Rate, now: number, spent = 0): Take => {
  const perMs = rate.perMinute / 60_000
  const saved = (bucket ? Math.min(rate.burst, bucket.tokens + Math.max(0, now - bucket.at) * perMs) : rate.burst) - spent
  if (saved >= 1) return { bucket: { tokens: saved - 1, at: now }, retryAfterMs: 0 }
  return { bucket: { tokens: saved, at: now }, retryAfterMs: Math.ceil((1 - saved) / perMs) }
}

/** A rate from two env values; `0` or `off` as the per-minute figure turns the limit off. */
export const rateOf = (perMinute: string | undefined, burst: string | undefined, fallback: Rate): Rate | null => {
  if (perMinute === '0' || perMinute === 'off') return null
  const number = (value: string | undefined, otherwise: number) => {
    const n = Number(value)
    return value !== undefined && value !== '' && Number.isFinite(n) && n > 0 ? n : otherwise
  }
  return { perMinute: number(perMinute, fallback.perMinute), burst: Math.max(1, number(burst, fallback.burst)) }
}

/** Whole seconds, at least 1, as `Retry-After` wants them. */
export const retryAfterSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000))
