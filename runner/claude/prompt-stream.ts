/**
 * @module The prompt of a streaming-input query: an async iterable the adapter pushes user
 * messages into. Ending it lets the CLI finish the current turn and exit.
 */
import type { SDKUserMessage } from '@anthropic-ai/claude-agent-sdk'

export class PromptStream implements AsyncIterable<SDKUserMessage> {
  private readonly queued: SDKUserMessage[] = []
  private readonly waiting: Array<(result: IteratorResult<SDKUserMessage>) => void> = []
  private ended = false

  push(message: SDKUserMessage): void {
    if (this.ended) throw new Error('claude: the prompt stream has ended')
    const waiter = this.waiting.shift()
    if (waiter) waiter({ value: message, done: false })
    else this.queued.push(message)
  }

  end(): void {
    this.ended = true
    for (const waiter of this.waiting.splice(0)) waiter({ value: undefined, done: true })
  }

  get isEnded(): boolean {
    return this.ended
  }

  [Symbol.asyncIterator](): AsyncIterator<SDKUserMessage> {
    return {
      next: () => {
        const message = this.queued.shift()
        if (message) return Promise.resolve({ value: message, done: false })
        if (this.ended) return Promise.resolve({ value: undefined, done: true })
        return new Promise((resolve) => this.waiting.push(resolve))
      },
    }
  }
}
