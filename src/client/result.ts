/** @module Errors as values: every client call resolves to a `Result`, never throws for HTTP. */
import type { LoomError } from '../contracts/errors.ts'

/** A Loom error with the HTTP status it came with (0: the request never got an answer). */
export type ClientError = LoomError & { status: number }

export type Result<T> = { ok: true; value: T } | { ok: false; error: ClientError }

export const success = <T>(value: T): Result<T> => ({ ok: true, value })

export const failure = (status: number, code: string, message: string, details?: unknown): { ok: false; error: ClientError } => ({
  ok: false,
  error: details === undefined ? { code, message, status } : { code, message, details, status },
})

/** Codes reconnecting cannot fix: a subscription that meets one ends instead of retrying. */
export const FATAL_CODES: ReadonlySet<string> = new Set(['unauthorized', 'token_expired', 'forbidden', 'thread_not_found', 'not_found', 'invalid_request'])

/** How a subscription ends when it cannot go on: `next()` rejects with this. */
export class SubscriptionError extends Error {
  readonly error: ClientError
  constructor(error: ClientError) {
    super(`${error.code}: ${error.message}`)
    this.name = 'SubscriptionError'
    this.error = error
  }
}
