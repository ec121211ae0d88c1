/**
 * @module Claude failures as `ProviderFailure`: API errors by HTTP status and by the SDK's
 * assistant error kind (429 / rate and usage limits are `rate_limited` and retryable), and
 * the errors the SDK throws when the CLI exits (the reason is only on stderr).
 */
import { providerFailure, type ProviderFailure } from '../../src/contracts/index.ts'

const LIMIT_TEXT = /usage limit|rate limit|rate_limit|\b429\b|too many requests/i
const AUTH_KINDS = new Set(['authentication_failed', 'oauth_org_not_allowed', 'account_on_hold', 'verification_required', 'billing_error', 'cloud_credential_error'])

/** A failed model call, from the result's `api_error_status` and the assistant message's `error`. */
export function apiFailure(text: string, status: number | null, kind: string | null): ProviderFailure {
  const code = status !== null ? `http_${status}` : kind
  if (status === 429 || kind === 'rate_limit' || LIMIT_TEXT.test(text)) return providerFailure('rate_limited', text, code ?? 'rate_limit', true)
  if (status === 401 || status === 403 || (kind !== null && AUTH_KINDS.has(kind))) return providerFailure('permission_error', text, code, false)
  if ((status !== null && status >= 500) || kind === 'server_error' || kind === 'overloaded') return providerFailure('provider_error', text, code, true)
  if (kind === 'invalid_request' || kind === 'model_not_found' || (status !== null && status >= 400)) return providerFailure('validation_error', text, code, false)
  return providerFailure('provider_error', text, code, null)
}

/** An error thrown by the query (CLI exit, or "Claude Code returned an error result: …"). */
export function thrownFailure(error: unknown, stderrTail: string): ProviderFailure {
  const message = error instanceof Error ? error.message : String(error)
  const returned = /Claude Code returned an error result: ([\s\S]*)/.exec(message)
  if (returned?.[1]) return apiFailure(returned[1], null, null)
  const detail = stderrTail.trim() ? `${message}: ${stderrTail.trim().split('\n').slice(-5).join('\n')}` : message
  if (LIMIT_TEXT.test(detail)) return providerFailure('rate_limited', detail, 'rate_limit', true)
  return providerFailure('provider_error', detail, /exited with code/.test(message) ? 'process_exit' : null, null)
}
