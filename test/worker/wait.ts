/** @module Waiting for what happens after a reply (outbox delivery to other objects), by polling. */

/** Polls `check` until it returns a truthy value (or a passing assertion), or fails with its last error. */
export const eventually = async <T>(check: () => Promise<T> | T, timeoutMs = 5000, everyMs = 25): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  let last: unknown = new Error('never checked')
  for (;;) {
    try {
      const value = await check()
      if (value) return value
      last = new Error(`still ${JSON.stringify(value)}`)
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) throw last
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}
