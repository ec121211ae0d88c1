/** @module Decodes a byte stream of JSON Lines into JSON object frames. */
import { createLineSplitter } from './line-splitter.ts'

/** A decoded frame: one JSON object per line. */
export type JsonFrame = Record<string, unknown>

/** Callbacks of {@link createJsonlDecoder}. */
export type JsonlDecoderOptions = {
  /** Called once per line that parses to a JSON object, in stream order. */
  onFrame: (frame: JsonFrame) => void
  /** Called for a line that is not a JSON object; decoding continues with the next line. */
  onGarbage: (line: string, reason: string) => void
}

/** Incremental JSONL decoder: feed chunks with `push`, flush a final unterminated line with `end`. */
export type JsonlDecoder = { push: (chunk: Uint8Array) => void; end: () => void }

/**
 * Parses each line of a byte stream as JSON. UTF-8 sequences split across chunks stay whole;
 * a partial line waits for the rest; blank lines are skipped; a line that is not a JSON object
 * goes to `onGarbage` and never stops the following frames.
 * @example
 * const decoder = createJsonlDecoder({ onFrame, onGarbage })
 * child.stdout.on('data', decoder.push)
 * child.stdout.on('end', decoder.end)
 */
export function createJsonlDecoder(options: JsonlDecoderOptions): JsonlDecoder {
  return createLineSplitter((line) => {
    if (line.trim() === '') return
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch (error) {
      options.onGarbage(line, error instanceof Error ? error.message : String(error))
      return
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      options.onGarbage(line, 'not a JSON object')
      return
    }
    options.onFrame(value as JsonFrame)
  })
}
