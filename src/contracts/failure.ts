/** @module A provider failure: what went wrong, bounded in size, and whether a retry may help. */
import { z } from 'zod'
import { LIMITS } from './modes.ts'

export const FailureClass = z.enum([
  'provider_error',
  'transport_error',
  'permission_error',
  'validation_error',
  'rate_limited',
  'runner_lost',
  'unknown',
])
export type FailureClass = z.infer<typeof FailureClass>

export const ProviderFailure = z.strictObject({
  class: FailureClass,
  message: z.string().max(LIMITS.failureMessageChars),
  code: z.string().max(LIMITS.failureCodeChars).nullable(),
  retryable: z.boolean().nullable(),
})
export type ProviderFailure = z.infer<typeof ProviderFailure>

/** Builds a failure, cutting the message and code to their bounds. */
export const providerFailure = (
  cls: FailureClass,
  message: string,
  code: string | null = null,
  retryable: boolean | null = null,
): ProviderFailure => ({
  class: cls,
  message: message.slice(0, LIMITS.failureMessageChars),
  code: code === null ? null : code.slice(0, LIMITS.failureCodeChars),
  retryable,
})
