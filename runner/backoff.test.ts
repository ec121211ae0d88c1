import { describe, expect, it } from 'vitest'
import { createBackoff } from './backoff.ts'

describe('createBackoff', () => {
  it('should double the ceiling per attempt up to the maximum, with half of it jittered', () => {
    const low = createBackoff({ baseMs: 100, maxMs: 1000, random: () => 0 })
    expect([low.next(), low.next(), low.next(), low.next(), low.next(), low.next()]).toEqual([50, 100, 200, 400, 500, 500])
    const high = createBackoff({ baseMs: 100, maxMs: 1000, random: () => 0.999999 })
    expect([high.next(), high.next(), high.next()]).toEqual([100, 200, 400])
  })

  it('should start over after reset', () => {
    const backoff = createBackoff({ baseMs: 100, random: () => 0 })
    backoff.next()
    backoff.next()
    backoff.reset()
    expect(backoff.attempts).toBe(0)
    expect(backoff.next()).toBe(50)
  })
})
