/**
 * @module What the live client does at the replayed `query()` boundary, in the order it does
 * it: offer a prompt, answer a permission request, interrupt, or end the query (prompt closed
 * or `close()`). The replay loop takes them one at a time and matches each against the
 * transcript; an interrupt resolves once it was matched.
 */
import type { PermissionResult, SDKUserMessage } from '@anthropic-ai/claude-agent-sdk'

export type ClientAction =
  | { kind: 'prompt'; message: SDKUserMessage }
  | { kind: 'permission'; result: PermissionResult }
  | { kind: 'interrupt'; settle: (error: unknown) => void }
  | { kind: 'end' }

/** The outbound frame of an action in the `claude-agent-sdk.query` protocol (`end` has none). */
export const actionFrame = (action: Exclude<ClientAction, { kind: 'end' }>): Record<string, unknown> => {
  if (action.kind === 'prompt') return { type: 'prompt.offer', message: action.message }
  if (action.kind === 'permission') return { type: 'permission.response', result: action.result }
  return { type: 'query.interrupt' }
}

export class ClientActions {
  private readonly queued: ClientAction[] = []
  private waiter: ((action: ClientAction) => void) | null = null
  private ended = false
  private closed: Error | null = null

  push(action: ClientAction): void {
    if (this.ended) {
      if (action.kind === 'interrupt') action.settle(this.closed ?? new Error('replay: the query has ended'))
      return
    }
    if (action.kind === 'end') this.ended = true
    const waiter = this.waiter
    this.waiter = null
    if (waiter) waiter(action)
    else this.queued.push(action)
  }

  /** The next action; waits for one. */
  next(): Promise<ClientAction> {
    const action = this.queued.shift()
    if (action) return Promise.resolve(action)
    return new Promise((resolve) => (this.waiter = resolve))
  }

  /** The replay loop stopped: later actions are refused, queued interrupts fail with `error`. */
  stop(error: Error): void {
    this.ended = true
    this.closed = error
    for (const action of this.queued.splice(0)) if (action.kind === 'interrupt') action.settle(error)
  }

  /** An interrupt that resolves once the replay matched it. */
  interrupt(): Promise<void> {
    return new Promise((resolve, reject) => this.push({ kind: 'interrupt', settle: (error) => (error ? reject(error) : resolve()) }))
  }
}
