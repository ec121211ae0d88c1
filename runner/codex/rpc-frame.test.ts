/** @module Tests for inbound frame classification. */
import { describe, expect, it } from 'vitest'
import { classifyFrame } from './rpc-frame.ts'

describe('classifyFrame', () => {
  it.each([
    ['a response', { id: 3, result: { ok: true } }, 'response'],
    ['a null result', { id: 3, result: null }, 'response'],
    ['an error answer', { id: 3, error: { code: -32600, message: 'bad' } }, 'error'],
    ['an error without id', { id: null, error: { code: -1, message: 'x' } }, 'error'],
    ['a server request', { id: 0, method: 'item/fileChange/requestApproval', params: {} }, 'request'],
    ['a notification', { method: 'turn/started', params: {}, emittedAtMs: 1 }, 'notification'],
    ['a request with an object id', { id: {}, method: 'x' }, 'invalid'],
    ['an answer without result', { id: 1 }, 'invalid'],
    ['an error that is not an object', { id: 1, error: 'boom' }, 'invalid'],
  ])('should classify %s', (_label, frame, kind) => {
    expect(classifyFrame(frame).kind).toBe(kind)
  })

  it('should normalise an error body', () => {
    expect(classifyFrame({ id: 'a', error: { message: 'no code' } })).toEqual({
      kind: 'error',
      id: 'a',
      error: { code: 0, message: 'no code', data: undefined },
    })
  })
})
