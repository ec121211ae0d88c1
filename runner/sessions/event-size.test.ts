import { describe, expect, it } from 'vitest'
import { RuntimeEvent } from '../../src/contracts/index.ts'
import { boundEventSize, MAX_EVENT_BYTES } from './event-size.ts'

const item = (text: string, output: string | null = null) =>
  RuntimeEvent.parse({
    type: 'item.updated',
    at: 1,
    runId: 'run:t1:1',
    nativeItemId: 'cmd-1',
    parentNativeItemId: null,
    status: 'completed',
    content: output === null ? { type: 'assistant_message', text } : { type: 'command_execution', command: text, cwd: null, output, exitCode: 0 },
  })

describe('boundEventSize', () => {
  it('should leave an event that fits alone, the same object', () => {
    const event = item('hello')
    expect(boundEventSize(event)).toEqual({ event, cut: 0 })
  })

  it('should cut a text the contract allows but a row could not hold, keep its head, and say so', () => {
    // 1,000,000 characters of three bytes each: within the contract, about 3 MB of JSON.
    const text = 'start:'.padEnd(1_000_000, 'é')
    const event = item(text)
    const { event: bounded, cut } = boundEventSize(event)
    expect(cut).toBeGreaterThan(0)
    expect(Buffer.byteLength(JSON.stringify(bounded))).toBeLessThanOrEqual(MAX_EVENT_BYTES)
    const kept = (bounded as any).content.text as string
    expect(kept.startsWith('start:éé')).toBe(true)
    expect(kept).toMatch(/cut by Loom: \d+ more characters/)
    expect(RuntimeEvent.safeParse(bounded).success).toBe(true)
    // The original is untouched.
    expect((event as any).content.text).toBe(text)
  })

  it('should cut the longest strings first, leaving short fields whole', () => {
    const { event } = boundEventSize(item('ls -la', 'x'.repeat(400_000).padEnd(900_000, '€')))
    expect((event as any).content.command).toBe('ls -la')
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(MAX_EVENT_BYTES)
  })
})
