import { describe, expect, it } from 'vitest'
import { splitDiff } from './diff-parts.ts'

describe('splitDiff', () => {
  it('should cut a diff into parts that join back to it', () => {
    const text = 'abcdefghij'.repeat(5)
    const { parts, truncated } = splitDiff(text, 16, 10)
    expect(parts.map((p) => p.length)).toEqual([16, 16, 16, 2])
    expect(parts.join('')).toBe(text)
    expect(truncated).toBe(false)
  })

  it('should cap the parts and say the diff was truncated', () => {
    const { parts, truncated } = splitDiff('x'.repeat(100), 10, 3)
    expect(parts.join('')).toBe('x'.repeat(30))
    expect(truncated).toBe(true)
  })

  it('should not split a surrogate pair between parts', () => {
    const text = `abc${'😀'}def`
    const { parts } = splitDiff(text, 4, 10)
    expect(parts.join('')).toBe(text)
    for (const part of parts) expect(part).toBe(Buffer.from(part, 'utf8').toString('utf8'))
  })

  it('should give one empty part for an empty diff', () => {
    expect(splitDiff('')).toEqual({ parts: [''], truncated: false })
  })
})
