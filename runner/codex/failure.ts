/**
 * @module Codex errors as canonical `ProviderFailure`s: a turn's `TurnError` with its
 * `codexErrorInfo`, a JSON-RPC error, and the app-server process ending under a turn.
 */
import { providerFailure, type FailureClass, type ProviderFailure } from '../../src/contracts/index.ts'
import type { TurnError } from '../generated/codex/v2/index.ts'
import { CodexRpcError } from './rpc-error.ts'

type Classified = { cls: FailureClass; code: string; retryable: boolean | null }

/** Variants that carry the upstream HTTP status. */
const WITH_STATUS = ['httpConnectionFailed', 'responseStreamConnectionFailed', 'responseStreamDisconnected', 'responseTooManyFailedAttempts'] as const

const byStatus = (variant: string, status: number | null): Classified => {
  const code = status === null ? variant : `${variant}:${status}`
  if (status === 429) return { cls: 'rate_limited', code, retryable: true }
  if (status === 401 || status === 403) return { cls: 'permission_error', code, retryable: false }
  if (status !== null && status >= 500) return { cls: 'provider_error', code, retryable: true }
  if (status !== null && status >= 400) return { cls: 'validation_error', code, retryable: false }
  return { cls: 'transport_error', code, retryable: true }
}

/** Class, code and retryability of a `codexErrorInfo` value (a string or a one-key object). */
export function classifyCodexErrorInfo(info: unknown): Classified {
  if (typeof info === 'string') {
    switch (info) {
      case 'usageLimitExceeded':
      case 'rateLimitExceeded':
        return { cls: 'rate_limited', code: info, retryable: true }
      case 'serverOverloaded':
      case 'internalServerError':
      case 'flexUnavailable':
      case 'policyCapacityUnavailable':
        return { cls: 'provider_error', code: info, retryable: true }
      case 'unauthorized':
        return { cls: 'permission_error', code: info, retryable: false }
      case 'badRequest':
      case 'modelNotFound':
        return { cls: 'validation_error', code: info, retryable: false }
      case 'contextWindowExceeded':
      case 'sessionBudgetExceeded':
      case 'sandboxError':
      case 'threadRollbackFailed':
      case 'tooManyDenials':
      case 'inferenceHookDenied':
      case 'cyberPolicy':
      case 'misalignmentPolicyViolation':
        return { cls: 'provider_error', code: info, retryable: false }
      default:
        return { cls: 'provider_error', code: info, retryable: null }
    }
  }
  if (typeof info === 'object' && info !== null) {
    const [variant, detail] = Object.entries(info)[0] ?? ['unknown', null]
    if ((WITH_STATUS as readonly string[]).includes(variant)) {
      const status = (detail as { httpStatusCode?: unknown } | null)?.httpStatusCode
      return byStatus(variant, typeof status === 'number' ? status : null)
    }
    return { cls: 'provider_error', code: variant, retryable: null }
  }
  return { cls: 'provider_error', code: 'unknown', retryable: null }
}

/**
 * The failure of a turn that ended `failed` (or an `error` notification). 429s and usage limits
 * are retryable `rate_limited`; the message keeps Codex's text and any additional details.
 * @example turnFailure({ message: 'exceeded retry limit, last status: 429', codexErrorInfo: { responseTooManyFailedAttempts: { httpStatusCode: 429 } }, … })
 *   // { class: 'rate_limited', code: 'responseTooManyFailedAttempts:429', retryable: true, … }
 */
export function turnFailure(error: Pick<TurnError, 'message' | 'codexErrorInfo' | 'additionalDetails'>): ProviderFailure {
  const { cls, code, retryable } = classifyCodexErrorInfo(error.codexErrorInfo)
  const message = error.additionalDetails ? `${error.message}: ${error.additionalDetails}` : error.message
  return providerFailure(cls, message || 'Codex reported a failed turn without a message', code, retryable)
}

/** The failure when the app-server process ends under a running turn. */
export function transportFailure(message: string): ProviderFailure {
  return providerFailure('transport_error', message, 'codex.process_exited', true)
}

/** The failure of a client request (`turn/start`, `turn/steer`, …) that Codex refused or could not answer. */
export function rpcFailure(error: unknown, doing: string): ProviderFailure {
  if (error instanceof CodexRpcError) {
    if (error.code === 'codex.process_exited' || error.code === 'codex.closed' || error.code === 'codex.spawn_failed') {
      return providerFailure('transport_error', `${doing}: ${error.message}`, error.code, true)
    }
    const code = error.rpcCode === undefined ? error.code : `${error.code}:${error.rpcCode}`
    const cls: FailureClass = error.rpcCode === -32600 || error.rpcCode === -32602 ? 'validation_error' : 'provider_error'
    return providerFailure(cls, `${doing}: ${error.message}`, code, false)
  }
  return providerFailure('unknown', `${doing}: ${error instanceof Error ? error.message : String(error)}`, null, null)
}
