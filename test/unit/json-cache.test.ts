/** @module worker/store/thread/sql.ts: a committed entity's JSON is kept until its projection row is written, and only then. */
import { describe, expect, it } from 'vitest'
import { jsonForCommit, jsonForRead, releaseJson } from '../../worker/store/thread/sql.ts'

// Committed entities are never changed in place; changing one here is how the test sees
// whether its text was kept (a kept text no longer matches the object).
describe('the committed entity JSON', () => {
  it('should keep the text an entity was committed as until it is released', () => {
    const entity = { id: 'e1', text: 'as committed' }
    const committed = jsonForCommit(entity)
    entity.text = 'changed'
    expect(jsonForCommit(entity)).toBe(committed)
    expect(jsonForRead(entity)).toBe(committed)
    releaseJson(entity)
    expect(jsonForRead(entity)).toBe('{"id":"e1","text":"changed"}')
  })

  it('should not keep what a read serializes, so a thread holds its entities once', () => {
    const entity = { id: 'e2', text: 'read' }
    expect(jsonForRead(entity)).toBe('{"id":"e2","text":"read"}')
    entity.text = 'changed'
    expect(jsonForRead(entity)).toBe('{"id":"e2","text":"changed"}')
  })
})
