/**
 * @module What a `result` message means for a Loom run: whether it ends the run (a steer with
 * priority "now" aborts the SDK turn and starts another, so a run can span several results),
 * the terminal status and failure, and the token usage.
 *
 * | result                                                    | run                          |
 * |-----------------------------------------------------------|------------------------------|
 * | `terminal_reason` `aborted_*` (user interrupt or cancel)  | interrupted                  |
 * | `is_error: true` (even with `subtype: "success"`)         | failed, with the API error   |
 * | otherwise                                                 | completed                    |
 */
import { providerFailure, type ProviderFailure, type TokenUsage } from '../../src/contracts/index.ts'
import { apiFailure } from './failure.ts'
import { arr, num, rec, str, type Json } from './json.ts'
import type { ApiError } from './message-mapper.ts'

export type TurnOutcome = { status: 'completed' | 'interrupted' | 'failed'; failure: ProviderFailure | null }

/** The client uuids of the prompts this result's turn consumed, when the CLI reports them. */
export function consumedUuids(result: Json): string[] | null {
  const list = arr(result.user_message_uuids).map(str).filter((u): u is string => u !== null)
  if (list.length > 0) return list
  const one = str(result.user_message_uuid)
  return one ? [one] : null
}

export const isAborted = (result: Json): boolean => (str(result.terminal_reason) ?? '').startsWith('aborted')

export function resultOutcome(result: Json, ctx: { interruptRequested: boolean; apiError: ApiError | null }): TurnOutcome {
  if (isAborted(result) || (ctx.interruptRequested && result.is_error === true)) return { status: 'interrupted', failure: null }
  if (result.is_error !== true && result.subtype === 'success') return { status: 'completed', failure: null }
  const status = num(result.api_error_status)
  const text =
    str(result.result) ||
    arr(result.errors).map(str).filter(Boolean).join('\n') ||
    ctx.apiError?.text ||
    `Claude Code ended the turn with ${str(result.subtype) ?? 'an error'}`
  const kind = ctx.apiError?.kind ?? null
  if (result.subtype !== 'success' && status === null && kind === null) {
    return { status: 'failed', failure: providerFailure('provider_error', text, str(result.subtype), null) }
  }
  return { status: 'failed', failure: apiFailure(text, status, kind) }
}

/** The result's per-turn usage (main loop) as Loom token usage. */
export function resultUsage(result: Json): TokenUsage | null {
  const usage = rec(result.usage)
  if (Object.keys(usage).length === 0) return null
  const input = num(usage.input_tokens) ?? 0
  const cacheRead = num(usage.cache_read_input_tokens) ?? 0
  const cacheWrite = num(usage.cache_creation_input_tokens) ?? 0
  const output = num(usage.output_tokens) ?? 0
  const reasoning = num(rec(usage.output_tokens_details).thinking_tokens) ?? 0
  const inputTokens = input + cacheRead + cacheWrite
  return { inputTokens, cachedInputTokens: cacheRead, outputTokens: output, reasoningTokens: reasoning, totalTokens: inputTokens + output }
}

export function addUsage(a: TokenUsage | null, b: TokenUsage | null): TokenUsage | null {
  if (!a) return b
  if (!b) return a
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  }
}
