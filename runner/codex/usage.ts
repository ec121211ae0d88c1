/**
 * @module Token usage of one run from Codex's `thread/tokenUsage/updated`. Codex reports the
 * thread's running total and the last model call; a run's usage is the total now minus the total
 * before its first call (sent again unchanged at times, so repeats are dropped).
 */
import type { TokenUsage } from '../../src/contracts/index.ts'
import type { TokenUsageBreakdown } from '../generated/codex/v2/index.ts'

const toUsage = (b: Pick<TokenUsageBreakdown, 'inputTokens' | 'cachedInputTokens' | 'outputTokens' | 'reasoningOutputTokens' | 'totalTokens'>): TokenUsage => ({
  inputTokens: b.inputTokens,
  cachedInputTokens: b.cachedInputTokens,
  outputTokens: b.outputTokens,
  reasoningTokens: b.reasoningOutputTokens,
  totalTokens: b.totalTokens,
})

const minus = (a: TokenUsage, b: TokenUsage): TokenUsage => ({
  inputTokens: Math.max(0, a.inputTokens - b.inputTokens),
  cachedInputTokens: Math.max(0, a.cachedInputTokens - b.cachedInputTokens),
  outputTokens: Math.max(0, a.outputTokens - b.outputTokens),
  reasoningTokens: Math.max(0, a.reasoningTokens - b.reasoningTokens),
  totalTokens: Math.max(0, a.totalTokens - b.totalTokens),
})

const same = (a: TokenUsage | null, b: TokenUsage): boolean =>
  a !== null && a.inputTokens === b.inputTokens && a.cachedInputTokens === b.cachedInputTokens && a.outputTokens === b.outputTokens && a.reasoningTokens === b.reasoningTokens && a.totalTokens === b.totalTokens

/** Accumulates one run's usage; `update` returns the new usage, or null when nothing changed. */
export class RunUsage {
  #base: TokenUsage | null = null
  #current: TokenUsage | null = null

  get current(): TokenUsage | null {
    return this.#current
  }

  update(total: TokenUsageBreakdown, last: TokenUsageBreakdown): TokenUsage | null {
    this.#base ??= minus(toUsage(total), toUsage(last))
    const next = minus(toUsage(total), this.#base)
    if (same(this.#current, next)) return null
    this.#current = next
    return next
  }
}
