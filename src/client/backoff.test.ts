/** @module Reconnect delays and the connection state a UI shows. */
import { describe, expect, it } from 'vitest'
import { backoffDelay } from './backoff.ts'
import { BoundedQueue } from './bounded-queue.ts'
import { ConnectionTracker, connectionStateOf } from './connection.ts'

describe('backoffDelay', () => {
  it.each([
    [0, 0.5, 50],
    [1, 0.5, 100],
    [3, 0.5, 400],
    [10, 0.5, 500],
    [3, 0, 0],
    [3, 0.999, 799],
  ])('attempt %i with random %d waits %i ms', (attempt, random, expected) => {
    expect(backoffDelay(attempt, { initialDelayMs: 100, maxDelayMs: 1000, random: () => random })).toBe(expected)
  })

  it('should spread retries: full jitter gives different delays', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4)))
    expect(delays.size).toBeGreaterThan(10)
    for (const delay of delays) expect(delay).toBeLessThanOrEqual(4000)
  })
})

describe('connection state', () => {
  it.each([
    [[], 'idle'],
    [['closed'], 'idle'],
    [['connecting'], 'idle'],
    [['open', 'connecting'], 'online'],
    [['open', 'open'], 'online'],
    [['open', 'reconnecting'], 'offline'],
  ] as const)('%j is %s', (states, expected) => {
    expect(connectionStateOf(states)).toBe(expected)
  })

  it('should tell listeners only about changes', () => {
    const tracker = new ConnectionTracker()
    const seen: string[] = []
    const stop = tracker.subscribe((s) => seen.push(s))
    const a = {}
    tracker.set(a, 'connecting')
    tracker.set(a, 'open')
    tracker.set(a, 'reconnecting')
    tracker.set(a, 'open')
    stop()
    tracker.set(a, 'closed')
    expect(seen).toEqual(['online', 'offline', 'online'])
    expect(tracker.state).toBe('idle')
  })
})

describe('BoundedQueue', () => {
  it('should refuse past its limit and keep order across compaction', () => {
    const queue = new BoundedQueue<number>(3000)
    for (let i = 0; i < 3000; i++) expect(queue.push(i)).toBe(true)
    expect(queue.push(3000)).toBe(false)
    const out: number[] = []
    for (let i = 0; i < 2000; i++) out.push(queue.shift() as number)
    for (let i = 3000; i < 5000; i++) queue.push(i)
    while (queue.size > 0) out.push(queue.shift() as number)
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i))
  })
})
