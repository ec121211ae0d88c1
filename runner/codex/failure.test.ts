/** @module Codex errors → ProviderFailure: classes, codes and retryability. */
import { describe, expect, it } from 'vitest'
import { classifyCodexErrorInfo, rpcFailure, transportFailure, turnFailure } from './failure.ts'
import { CodexRpcError } from './rpc-error.ts'

describe('classifyCodexErrorInfo', () => {
  it.each([
    ['usageLimitExceeded', 'rate_limited', 'usageLimitExceeded', true],
    ['rateLimitExceeded', 'rate_limited', 'rateLimitExceeded', true],
    [{ responseTooManyFailedAttempts: { httpStatusCode: 429 } }, 'rate_limited', 'responseTooManyFailedAttempts:429', true],
    [{ httpConnectionFailed: { httpStatusCode: 429 } }, 'rate_limited', 'httpConnectionFailed:429', true],
    [{ httpConnectionFailed: { httpStatusCode: 401 } }, 'permission_error', 'httpConnectionFailed:401', false],
    [{ responseStreamConnectionFailed: { httpStatusCode: 503 } }, 'provider_error', 'responseStreamConnectionFailed:503', true],
    [{ httpConnectionFailed: { httpStatusCode: 400 } }, 'validation_error', 'httpConnectionFailed:400', false],
    [{ responseStreamDisconnected: { httpStatusCode: null } }, 'transport_error', 'responseStreamDisconnected', true],
    ['internalServerError', 'provider_error', 'internalServerError', true],
    ['serverOverloaded', 'provider_error', 'serverOverloaded', true],
    ['unauthorized', 'permission_error', 'unauthorized', false],
    ['contextWindowExceeded', 'provider_error', 'contextWindowExceeded', false],
    ['modelNotFound', 'validation_error', 'modelNotFound', false],
    ['other', 'provider_error', 'other', null],
    [{ activeTurnNotSteerable: { turnKind: 'review' } }, 'provider_error', 'activeTurnNotSteerable', null],
    [null, 'provider_error', 'unknown', null],
  ] as const)('%o → %s %s', (info, cls, code, retryable) => {
    expect(classifyCodexErrorInfo(info)).toEqual({ cls, code, retryable })
  })
})

describe('failures', () => {
  it('should keep the error text and its details', () => {
    expect(turnFailure({ message: 'exceeded retry limit, last status: 429 Too Many Requests', codexErrorInfo: { responseTooManyFailedAttempts: { httpStatusCode: 429 } }, additionalDetails: 'try later' })).toEqual({
      class: 'rate_limited',
      message: 'exceeded retry limit, last status: 429 Too Many Requests: try later',
      code: 'responseTooManyFailedAttempts:429',
      retryable: true,
    })
  })

  it('should bound the message', () => {
    expect(turnFailure({ message: 'x'.repeat(10_000), codexErrorInfo: 'other', additionalDetails: null }).message).toHaveLength(4096)
  })

  it('should make a dead process a retryable transport error, and a refused request a validation error', () => {
    expect(transportFailure('codex app-server exited (code null, signal SIGKILL)')).toMatchObject({ class: 'transport_error', code: 'codex.process_exited', retryable: true })
    const refused = new CodexRpcError({ code: 'codex.rpc_error', message: 'no active turn to steer', rpcCode: -32600 })
    expect(rpcFailure(refused, 'turn/steer')).toEqual({ class: 'validation_error', message: 'turn/steer: no active turn to steer', code: 'codex.rpc_error:-32600', retryable: false })
    expect(rpcFailure(new CodexRpcError({ code: 'codex.process_exited', message: 'gone' }), 'turn/start')).toMatchObject({ class: 'transport_error', retryable: true })
  })
})
