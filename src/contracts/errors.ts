/** @module Error values with stable codes, and the one table that maps them to HTTP statuses. */
import { z } from 'zod'

/** Every error Loom returns, over HTTP or WebSocket, has this shape. */
export const LoomError = z.object({
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
})
export type LoomError = z.infer<typeof LoomError>

/** Stable codes and their HTTP statuses. Clients check `code`, never the message. */
export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_json: 400,
  unauthorized: 401,
  token_expired: 401,
  forbidden: 403,
  thread_not_found: 404,
  not_found: 404,
  thread_exists: 409,
  thread_archived: 409,
  thread_not_archived: 409,
  sequence_conflict: 409,
  run_not_active: 409,
  run_active: 409,
  run_not_queued: 409,
  run_not_found: 409,
  request_not_found: 409,
  request_not_pending: 409,
  request_not_resumable: 409,
  checkpoint_not_found: 409,
  checkpoint_not_ready: 409,
  capability_unsupported: 409,
  fork_point_invalid: 409,
  transfer_invalid: 409,
  protocol_version_mismatch: 409,
  stale_epoch: 409,
  sequence_gap: 409,
  payload_too_large: 413,
  upgrade_required: 426,
  rate_limited: 429,
  internal_error: 500,
} as const satisfies Record<string, number>

export type ErrorCode = keyof typeof ERROR_STATUS

export const loomError = (code: ErrorCode, message: string, details?: unknown): LoomError =>
  details === undefined ? { code, message } : { code, message, details }

export const statusOf = (code: string): number => (ERROR_STATUS as Record<string, number>)[code] ?? 500
