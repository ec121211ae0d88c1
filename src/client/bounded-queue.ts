/** @module A FIFO with a hard limit, read by async consumers that wait for the next push. */

export class BoundedQueue<T> {
  private readonly items: T[] = []
  private head = 0
  private waiters: Array<() => void> = []
  readonly limit: number

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('the queue limit must be a positive integer')
    this.limit = limit
  }

  get size(): number {
    return this.items.length - this.head
  }

  /** Adds an item; false (and nothing added) when the queue is full. */
  push(item: T): boolean {
    if (this.size >= this.limit) return false
    this.items.push(item)
    this.wake()
    return true
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined
    const item = this.items[this.head] as T
    this.head++
    // Compact now and then instead of an O(n) Array#shift per item.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head)
      this.head = 0
    }
    return item
  }

  clear(): void {
    this.items.length = 0
    this.head = 0
  }

  /** Resolves at the next push or `wake()`. */
  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve)
    })
  }

  wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter()
  }
}
