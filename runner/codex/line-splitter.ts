/** @module Splits a UTF-8 byte stream into text lines. */

/** Incremental splitter: feed chunks with `push`, flush a final unterminated line with `end`. */
export type LineSplitter = { push: (chunk: Uint8Array) => void; end: () => void }

/**
 * Calls `onLine` for each `\n`-terminated line (a trailing `\r` removed), in order.
 * A streaming TextDecoder keeps UTF-8 sequences split across chunks whole; a partial line
 * waits for the rest; `end` flushes the last line if it has no newline.
 */
export function createLineSplitter(onLine: (line: string) => void): LineSplitter {
  const text = new TextDecoder('utf-8')
  // Parts of the current unterminated line, joined once its newline arrives, so a long line
  // delivered in many chunks is not re-scanned on every chunk.
  let partial: string[] = []

  const emit = (raw: string): void => onLine(raw.endsWith('\r') ? raw.slice(0, -1) : raw)

  const consume = (decoded: string): void => {
    let start = 0
    let newline = decoded.indexOf('\n')
    while (newline !== -1) {
      const head = decoded.slice(start, newline)
      const line = partial.length > 0 ? partial.join('') + head : head
      partial = []
      emit(line)
      start = newline + 1
      newline = decoded.indexOf('\n', start)
    }
    if (start < decoded.length) partial.push(decoded.slice(start))
  }

  return {
    push: (chunk) => consume(text.decode(chunk, { stream: true })),
    end: () => {
      consume(text.decode())
      if (partial.length === 0) return
      const rest = partial.join('')
      partial = []
      emit(rest)
    },
  }
}
