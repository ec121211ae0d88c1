import { describe, expect, it } from 'vitest'
import type { RuntimeEvent } from '../../src/contracts/index.ts'
import { createProducer } from './producer.ts'

const accepted = (n: number) => ({ type: 'effect.accepted', effectId: `effect-${n}` }) as RuntimeEvent
const seqs = (batches: ReadonlyArray<{ seq: number }>) => batches.map((b) => b.seq)
const ids = (batches: Array<{ events: RuntimeEvent[] }>) => batches.map((b) => b.events.map((e) => (e as { effectId: string }).effectId))

describe('the link producer', () => {
  it('should number batches 1, 2, 3 and keep each until it is acknowledged', () => {
    const producer = createProducer()
    producer.push(accepted(1))
    producer.push(accepted(2))
    expect(ids(producer.take())).toEqual([['effect-1', 'effect-2']])
    producer.push(accepted(3))
    expect(seqs(producer.take())).toEqual([2])
    expect(producer.take()).toEqual([])
    expect(seqs(producer.unacked())).toEqual([1, 2])
    expect(producer.ack(1)).toBe(1)
    expect(seqs(producer.unacked())).toEqual([2])
    expect(producer.idle).toBe(false)
    producer.ack(2)
    expect(producer.idle).toBe(true)
  })

  it('should split a burst at the event limit and at the size limit', () => {
    const producer = createProducer({ maxEvents: 2, maxChars: 200 })
    for (let i = 0; i < 5; i++) producer.push(accepted(i))
    expect(ids(producer.take()).map((b) => b.length)).toEqual([2, 2, 1])
    const big = createProducer({ maxChars: 60 })
    big.push({ type: 'effect.failed', effectId: 'e', failure: { class: 'unknown', message: 'x'.repeat(100), code: null, retryable: null } } as RuntimeEvent)
    big.push(accepted(1))
    expect(big.take().map((b) => b.events.length)).toEqual([1, 1])
  })

  it('should resend after a reconnect only what follows welcome.lastSeq, in order', () => {
    const producer = createProducer({ maxEvents: 1 })
    for (let i = 1; i <= 4; i++) producer.push(accepted(i))
    producer.take()
    producer.ack(1)
    // Batches 2 and 3 were committed, but their acks were lost with the socket.
    const { resend, lost } = producer.resync(3)
    expect(lost).toBe(false)
    expect(seqs(resend)).toEqual([4])
    expect(ids(resend)).toEqual([['effect-4']])
    producer.push(accepted(5))
    expect(seqs(producer.take())).toEqual([5])
  })

  it('should resend every unacknowledged batch when the thread committed none of them', () => {
    const producer = createProducer({ maxEvents: 1 })
    for (let i = 1; i <= 3; i++) producer.push(accepted(i))
    producer.take()
    expect(seqs(producer.resync(0).resend)).toEqual([1, 2, 3])
    // A sequence gap refusal names the batch the thread expects; resync from there.
    expect(seqs(producer.resync(1).resend)).toEqual([2, 3])
  })

  it('should renumber after the thread lost batches it had acknowledged, and say so', () => {
    const producer = createProducer({ maxEvents: 1 })
    for (let i = 1; i <= 3; i++) producer.push(accepted(i))
    producer.take()
    producer.ack(2)
    const { resend, lost } = producer.resync(0)
    expect(lost).toBe(true)
    expect(seqs(resend)).toEqual([1])
    expect(ids(resend)).toEqual([['effect-3']])
    expect(producer.nextSeq).toBe(2)
  })

  it('should follow a thread that is ahead of it', () => {
    const producer = createProducer()
    expect(producer.resync(7)).toEqual({ resend: [], lost: false })
    producer.push(accepted(1))
    expect(seqs(producer.take())).toEqual([8])
  })

  it('should say whether an event is still waiting or unacknowledged', () => {
    const producer = createProducer()
    producer.push(accepted(1))
    const isOne = (e: RuntimeEvent) => 'effectId' in e && e.effectId === 'effect-1'
    expect(producer.holds(isOne)).toBe(true)
    producer.take()
    expect(producer.holds(isOne)).toBe(true)
    producer.ack(1)
    expect(producer.holds(isOne)).toBe(false)
  })
})
