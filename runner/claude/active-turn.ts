/**
 * @module The Loom run a Claude session is working on, and when an SDK `result` ends it.
 *
 * Claude has no native turn id: the turn is `turn:<attemptId>` (weak). A run ends at the
 * first result after which none of the prompts it pushed is still unanswered: every prompt
 * carries a client uuid, and a result lists the uuids its turn consumed. A steer with
 * priority "now" aborts the SDK turn (one result, `aborted_streaming`) and answers the steer
 * in a new one (a second result): only that second result ends the run. Older CLIs that echo
 * no uuids fall back to counting one extra result per steer. An interrupt ends the run at
 * the next result.
 */
import type { PermissionResult } from '@anthropic-ai/claude-agent-sdk'
import type { RunAttemptId, RunId, TokenUsage } from '../../src/contracts/index.ts'
import type { PermissionAsk } from './permissions.ts'
import type { ClaudePolicy } from './policy.ts'
import { addUsage } from './result.ts'

export type PendingAsk = { ask: PermissionAsk; answer: (result: PermissionResult) => void }

export class ActiveTurn {
  readonly nativeTurnId: string
  readonly asks = new Map<string, PendingAsk>()
  interruptRequested = false
  usage: TokenUsage | null = null
  forceTimer: ReturnType<typeof setTimeout> | null = null
  private readonly unanswered = new Set<string>()
  private uncountedSteers = 0

  readonly runId: RunId
  readonly attemptId: RunAttemptId
  readonly policy: ClaudePolicy

  constructor(runId: RunId, attemptId: RunAttemptId, policy: ClaudePolicy) {
    this.runId = runId
    this.attemptId = attemptId
    this.policy = policy
    this.nativeTurnId = `turn:${attemptId}`
  }

  /** Records a pushed prompt (the first message or a steer). */
  pushed(uuid: string, steer: boolean): void {
    this.unanswered.add(uuid)
    if (steer) this.uncountedSteers++
  }

  /** Takes one result in; true when it ends the run. */
  settle(consumed: string[] | null, usage: TokenUsage | null): boolean {
    this.usage = addUsage(this.usage, usage)
    if (this.interruptRequested) return true
    if (consumed) {
      for (const uuid of consumed) this.unanswered.delete(uuid)
      return this.unanswered.size === 0
    }
    if (this.uncountedSteers > 0) {
      this.uncountedSteers--
      return false
    }
    return true
  }
}
