/** @module Tests for the JSONL stream decoder. */
import { describe, expect, it } from 'vitest'
import { createJsonlDecoder, type JsonFrame } from './jsonl-decoder.ts'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

function setup() {
  const frames: JsonFrame[] = []
  const garbage: string[] = []
  const decoder = createJsonlDecoder({ onFrame: (f) => frames.push(f), onGarbage: (line) => garbage.push(line) })
  return { frames, garbage, decoder }
}

describe('createJsonlDecoder', () => {
  it('should decode several frames from one chunk', () => {
    const { frames, decoder } = setup()
    decoder.push(bytes('{"id":1,"result":{}}\n{"method":"x","params":{"a":2}}\n'))
    expect(frames).toEqual([{ id: 1, result: {} }, { method: 'x', params: { a: 2 } }])
  })

  it('should keep a UTF-8 character split across two chunks', () => {
    const { frames, garbage, decoder } = setup()
    const all = bytes('{"delta":"héllo €😀"}\n')
    const cut = all.indexOf(0xf0) + 2 // inside the 4-byte emoji
    decoder.push(Buffer.from(all.subarray(0, cut)))
    decoder.push(all.subarray(cut))
    expect(garbage).toEqual([])
    expect(frames).toEqual([{ delta: 'héllo €😀' }])
  })

  it('should survive every possible split point, byte by byte', () => {
    const { frames, decoder } = setup()
    for (const b of bytes('{"t":"ä€😀"}\n{"u":1}\n')) decoder.push(Uint8Array.of(b))
    expect(frames).toEqual([{ t: 'ä€😀' }, { u: 1 }])
  })

  it('should wait for the end of a partial line', () => {
    const { frames, decoder } = setup()
    decoder.push(bytes('{"id":1,'))
    decoder.push(bytes('"result":'))
    expect(frames).toEqual([])
    decoder.push(bytes('null}\n{"id"'))
    expect(frames).toEqual([{ id: 1, result: null }])
    decoder.push(bytes(':2}\n'))
    expect(frames).toEqual([{ id: 1, result: null }, { id: 2 }])
  })

  it('should report a garbage line and still deliver the next frame', () => {
    const { frames, garbage, decoder } = setup()
    expect(() => decoder.push(bytes('WARNING: not json\n{"id":3}\n[1,2]\n42\n{"id":4}\n'))).not.toThrow()
    expect(garbage).toEqual(['WARNING: not json', '[1,2]', '42'])
    expect(frames).toEqual([{ id: 3 }, { id: 4 }])
  })

  it('should ignore blank lines and tolerate CRLF', () => {
    const { frames, garbage, decoder } = setup()
    decoder.push(bytes('\n  \n{"a":1}\r\n\r\n{"b":2}\n'))
    expect(garbage).toEqual([])
    expect(frames).toEqual([{ a: 1 }, { b: 2 }])
  })

  it('should flush a final unterminated line on end', () => {
    const { frames, garbage, decoder } = setup()
    decoder.push(bytes('{"a":1}\n{"b":'))
    decoder.push(bytes('2}'))
    decoder.end()
    decoder.push(bytes('{"c":'))
    decoder.end()
    expect(frames).toEqual([{ a: 1 }, { b: 2 }])
    expect(garbage).toEqual(['{"c":'])
  })
})
