/**
 * @module Replays a transcript against itself: its own outbound frames play the client. A
 * smoke test for the format, the normalizer and the matcher (every corpus transcript must pass
 * in both modes), and a template for the loop a transport runs.
 */
import { createVirtualClock } from './clock.ts'
import { createReplayCursor, type InboundFrame, type ReplayCursorOptions } from './cursor.ts'
import type { Transcript } from './transcript.ts'

export type SelfReplayOptions = ReplayCursorOptions & {
  /** Turns a recorded outbound frame into what the "client" sends (e.g. other request ids). */
  mapOutbound?: (frame: unknown) => unknown
  onInbound?: (frame: InboundFrame) => void
}

export type SelfReplayResult = { outbound: number; inbound: number; exits: number }

export const replayAgainstItself = async (transcript: Transcript, options: SelfReplayOptions): Promise<SelfReplayResult> => {
  const cursor = createReplayCursor(transcript, { ...options, clock: options.clock ?? createVirtualClock({ auto: true }) })
  const result: SelfReplayResult = { outbound: 0, inbound: 0, exits: 0 }
  for (;;) {
    for await (const frame of cursor.drainInbound()) {
      result.inbound++
      options.onInbound?.(frame)
    }
    const next = cursor.peek()
    if (next === undefined) break
    if (next.type === 'runtime_exit') {
      cursor.takeExit()
      result.exits++
    } else if (next.type === 'expect_outbound') {
      cursor.expectOutbound(options.mapOutbound ? options.mapOutbound(next.frame) : next.frame)
      result.outbound++
    }
  }
  cursor.assertComplete()
  return result
}
