/** @module applyThreadItem: folding stream items gives the server's projection (events -> rows). */
import { describe, expect, it } from 'vitest'
import type { StoredEvent, ThreadProjection } from '../contracts/index.ts'
import { given } from '../domain/testing/decider-spec.ts'
import { completedRun, create, dispatch, item, linked, requestOpened, respond, say, turnStarted } from '../domain/testing/steps.ts'
import { toProjection } from '../domain/thread/projection.ts'
import { applyThreadItem, itemText } from './apply-thread-item.ts'

const stored = (sequence: number, event: StoredEvent['event']): StoredEvent => ({
  sequence,
  eventId: `e-${sequence}` as StoredEvent['eventId'],
  threadId: 'thread-1' as StoredEvent['threadId'],
  commandId: null,
  actor: 'user:test',
  occurredAt: sequence,
  event,
})

const history = [create(), linked(), ...completedRun(1), dispatch('second'), turnStarted(2), requestOpened(2, 'r'), respond('r'), say(2, 'a', 'half')]

describe('applyThreadItem', () => {
  it('should fold every event from the first into the projection the server builds', () => {
    const world = given(...history).world()
    let view: ThreadProjection | null = null
    world.log.forEach((event, i) => {
      view = applyThreadItem(view, { kind: 'event', sequence: i + 1, event: stored(i + 1, event) })
    })
    expect(view).toEqual(toProjection(world.state, world.sequence))
  })

  it('should continue from a snapshot taken halfway', () => {
    const world = given(...history).world()
    const half = given(...history.slice(0, 4)).world()
    let view = applyThreadItem(null, { kind: 'snapshot', sequence: half.sequence, projection: toProjection(half.state, half.sequence) })
    world.log.forEach((event, i) => {
      view = applyThreadItem(view, { kind: 'event', sequence: i + 1, event: stored(i + 1, event) })
    })
    expect(view).toEqual(toProjection(world.state, world.sequence))
  })

  it('should ignore an event at or below its sequence and return the same object', () => {
    const world = given(create(), dispatch('hi')).world()
    const view = toProjection(world.state, world.sequence)
    const again = world.log.at(-1)
    if (!again) throw new Error('no event')
    expect(applyThreadItem(view, { kind: 'event', sequence: world.sequence, event: stored(world.sequence, again) })).toBe(view)
  })

  it('should have nothing to apply a delta or a non-thread event to before a projection', () => {
    const world = given(create(), dispatch('hi')).world()
    const run = world.log.find((e) => e.type === 'run.created')
    if (!run) throw new Error('no run event')
    expect(applyThreadItem(null, { kind: 'event', sequence: 2, event: stored(2, run) })).toBeNull()
    expect(applyThreadItem(null, { kind: 'delta', itemId: 'x', offset: 0, text: 'a' })).toBeNull()
  })

  it('should stream text at its offset, skip a hole, and drop the text once the item finishes', () => {
    const world = given(create(), linked(), dispatch('hi'), turnStarted(1), item(1, 'a', { type: 'assistant_message', text: '' }, { status: 'running' })).world()
    const running = [...world.state.turnItems.values()].find((i) => i.status === 'running')
    if (!running) throw new Error('no running item')
    const start = toProjection(world.state, world.sequence)
    const a = applyThreadItem(start, { kind: 'delta', itemId: running.id, offset: 0, text: 'Hel' })
    const b = applyThreadItem(a, { kind: 'delta', itemId: running.id, offset: 3, text: 'lo' })
    expect(b?.streaming[running.id]).toBe('Hello')
    expect(start.streaming).toEqual({})
    expect(applyThreadItem(b, { kind: 'delta', itemId: running.id, offset: 9, text: '!' })).toBe(b)
    expect(applyThreadItem(b, { kind: 'delta', itemId: running.id, offset: 3, text: 'p!' })?.streaming[running.id]).toBe('Help!')
    if (!b) throw new Error('no projection')
    expect(itemText(b, running.id)).toBe('Hello')
    const before = world.sequence
    world.must(item(1, 'a', { type: 'assistant_message', text: 'Hello' }))
    let done: ThreadProjection | null = b
    world.log.slice(before).forEach((event, i) => {
      done = applyThreadItem(done, { kind: 'event', sequence: before + i + 1, event: stored(before + i + 1, event) })
    })
    expect(done).toEqual(toProjection(world.state, world.sequence))
    expect(itemText(done as unknown as ThreadProjection, running.id)).toBe('Hello')
  })
})
