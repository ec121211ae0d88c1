import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createDeltaCoalescer, utf8Bytes, type TextDelta } from './coalescer.ts'

const setup = (options: { intervalMs?: number; maxBytes?: number; maxChars?: number } = {}) => {
  const out: TextDelta[] = []
  const c = createDeltaCoalescer({ ...options, onFlush: (d) => out.push(d) })
  return { c, out }
}

/** Rebuilds each item's text from its deltas, checking offsets are contiguous. */
const rebuild = (deltas: TextDelta[]): Map<string, string> => {
  const texts = new Map<string, string>()
  for (const d of deltas) {
    const current = texts.get(d.itemId) ?? ''
    expect(d.offset).toBe(current.length)
    texts.set(d.itemId, current + d.text)
  }
  return texts
}

describe('the delta coalescer', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('should hold deltas until the interval passes, then send one frame per item', () => {
    const { c, out } = setup()
    c.push('a', 'Hel')
    c.push('a', 'lo')
    c.push('b', 'x')
    vi.advanceTimersByTime(49)
    expect(out).toEqual([])
    vi.advanceTimersByTime(1)
    expect(out).toEqual([
      { itemId: 'a', offset: 0, text: 'Hello' },
      { itemId: 'b', offset: 0, text: 'x' },
    ])
    c.push('a', ', world')
    vi.advanceTimersByTime(50)
    expect(out.at(-1)).toEqual({ itemId: 'a', offset: 5, text: ', world' })
  })

  it('should flush an item at once when it reaches maxBytes, counting UTF-8 bytes', () => {
    const { c, out } = setup({ maxBytes: 8 })
    c.push('a', 'ééé') // 6 bytes
    expect(out).toEqual([])
    c.push('a', 'é') // 8 bytes
    expect(out).toEqual([{ itemId: 'a', offset: 0, text: 'éééé' }])
    expect(utf8Bytes('é😀a')).toBe(2 + 4 + 1)
  })

  it('should turn 3,000 small deltas of a 10,000-character reply into a few frames with exact text', () => {
    const { c, out } = setup()
    const reply = Array.from({ length: 10_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('')
    let at = 0
    for (let i = 0; i < 3000; i++) {
      const size = i < 1000 ? 4 : 3
      c.push('item', reply.slice(at, at + size))
      at += size
      if (i % 100 === 99) vi.advanceTimersByTime(10)
    }
    c.flushItem('item')
    expect(at).toBe(10_000)
    expect(out.length).toBeLessThanOrEqual(10_000 / 4096 + 1 + 300 / 50)
    expect(rebuild(out).get('item')).toBe(reply)
  })

  it('should flush one item on demand and leave the others waiting', () => {
    const { c, out } = setup()
    c.push('a', 'one')
    c.push('b', 'two')
    c.flushItem('a')
    expect(out).toEqual([{ itemId: 'a', offset: 0, text: 'one' }])
    vi.advanceTimersByTime(50)
    expect(out).toEqual([
      { itemId: 'a', offset: 0, text: 'one' },
      { itemId: 'b', offset: 0, text: 'two' },
    ])
  })

  it('should restart offsets after end and send nothing for empty text', () => {
    const { c, out } = setup()
    c.push('a', '')
    c.push('a', 'abc')
    c.end('a')
    c.push('a', 'de')
    c.close()
    expect(out).toEqual([
      { itemId: 'a', offset: 0, text: 'abc' },
      { itemId: 'a', offset: 0, text: 'de' },
    ])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('should split text longer than maxChars without cutting a surrogate pair', () => {
    const { c, out } = setup({ maxChars: 3, maxBytes: 1_000_000 })
    c.push('a', 'ab😀cd')
    c.flush()
    expect(out.map((d) => d.text)).toEqual(['ab', '😀c', 'd'])
    expect(rebuild(out).get('a')).toBe('ab😀cd')
  })
})
