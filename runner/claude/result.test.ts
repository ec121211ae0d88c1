/** @module Result interpretation and failure classification, from recorded and live result shapes. */
import { describe, expect, it } from 'vitest'
import { thrownFailure } from './failure.ts'
import { consumedUuids, resultOutcome, resultUsage } from './result.ts'

const ctx = { interruptRequested: false, apiError: null }

describe('resultOutcome', () => {
  it('completes on success', () => {
    expect(resultOutcome({ type: 'result', subtype: 'success', is_error: false, terminal_reason: 'completed' }, ctx)).toEqual({ status: 'completed', failure: null })
  })

  it('fails on is_error even when the subtype says success, with the API error text', () => {
    const result = { type: 'result', subtype: 'success', is_error: true, api_error_status: 500, result: 'API Error: 500 scripted failure', terminal_reason: 'api_error' }
    expect(resultOutcome(result, { ...ctx, apiError: { text: 'API Error: 500 scripted failure', kind: 'server_error' } })).toEqual({
      status: 'failed',
      failure: { class: 'provider_error', message: 'API Error: 500 scripted failure', code: 'http_500', retryable: true },
    })
  })

  it('makes 429 and usage limits retryable rate limits', () => {
    const limited = resultOutcome({ subtype: 'success', is_error: true, api_error_status: 429, result: 'API Error: Request rejected (429)' }, ctx)
    expect(limited.failure).toMatchObject({ class: 'rate_limited', retryable: true, code: 'http_429' })
    const usage = resultOutcome({ subtype: 'success', is_error: true, result: "Claude AI usage limit reached|1767225600" }, { ...ctx, apiError: { text: 'x', kind: 'rate_limit' } })
    expect(usage.failure).toMatchObject({ class: 'rate_limited', retryable: true })
  })

  it('classifies 401 as a permission error that a retry does not fix', () => {
    expect(resultOutcome({ subtype: 'success', is_error: true, api_error_status: 401, result: 'API Error: 401' }, ctx).failure).toMatchObject({ class: 'permission_error', retryable: false })
  })

  it('is interrupted for aborted turns (a user interrupt or a cancel)', () => {
    expect(resultOutcome({ subtype: 'error_during_execution', is_error: true, terminal_reason: 'aborted_streaming' }, ctx).status).toBe('interrupted')
    expect(resultOutcome({ subtype: 'error_during_execution', is_error: true, terminal_reason: 'aborted_tools' }, ctx).status).toBe('interrupted')
    expect(resultOutcome({ subtype: 'error_during_execution', is_error: true }, { ...ctx, interruptRequested: true }).status).toBe('interrupted')
  })

  it('fails other error results with their errors', () => {
    const out = resultOutcome({ subtype: 'error_during_execution', is_error: true, errors: ['No conversation found with session ID: x'] }, ctx)
    expect(out).toEqual({ status: 'failed', failure: { class: 'provider_error', message: 'No conversation found with session ID: x', code: 'error_during_execution', retryable: null } })
  })
})

describe('result details', () => {
  it('reads the consumed prompt uuids, or null from producers that do not echo them', () => {
    expect(consumedUuids({ user_message_uuids: ['a', 'b'], user_message_uuid: 'b' })).toEqual(['a', 'b'])
    expect(consumedUuids({ user_message_uuid: 'b' })).toEqual(['b'])
    expect(consumedUuids({})).toBeNull()
  })

  it('counts cache reads and writes as input', () => {
    expect(resultUsage({ usage: { input_tokens: 10, cache_read_input_tokens: 5, cache_creation_input_tokens: 2, output_tokens: 7, output_tokens_details: { thinking_tokens: 3 } } })).toEqual({
      inputTokens: 17,
      cachedInputTokens: 5,
      outputTokens: 7,
      reasoningTokens: 3,
      totalTokens: 24,
    })
    expect(resultUsage({})).toBeNull()
  })

  it('turns the thrown errors of the SDK into failures, with the CLI stderr for exits', () => {
    expect(thrownFailure(new Error('Claude Code returned an error result: API Error: 500 boom'), '')).toMatchObject({ class: 'provider_error', message: 'API Error: 500 boom' })
    expect(thrownFailure(new Error('Claude Code process exited with code 1'), 'noise\nError: Session ID x is already in use.\n')).toEqual({
      class: 'provider_error',
      message: 'Claude Code process exited with code 1: noise\nError: Session ID x is already in use.',
      code: 'process_exit',
      retryable: null,
    })
  })
})
