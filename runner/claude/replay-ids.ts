/**
 * @module Session ids between a recording and the live session: the recorded session a
 * `query.open` (or `session.fork`) stands for is bound to the live one, recorded frames reach
 * the client with the live id, and (compatible mode) live frames are compared with the
 * recorded id so equivalences can check them against the recording.
 */
import type { Options } from '@anthropic-ai/claude-agent-sdk'
import type { TranscriptEntry } from '../replay/index.ts'
import { rec, str } from './json.ts'

const replaceAll = (frame: unknown, map: ReadonlyMap<string, string>): unknown => {
  if (map.size === 0 || frame === undefined) return frame
  let text = JSON.stringify(frame)
  for (const [from, to] of map) if (from !== to && text.includes(from)) text = text.split(from).join(to)
  return JSON.parse(text) as unknown
}

export class SessionIds {
  private readonly live = new Map<string, string>()
  private readonly recorded = new Map<string, string>()

  /** Binds `recorded` to `live` unless either is bound already. */
  bind(recorded: string | null, live: string | null): void {
    if (!recorded || !live || this.live.has(recorded) || this.recorded.has(live)) return
    this.live.set(recorded, live)
    this.recorded.set(live, recorded)
  }

  /** Binds the session of the next recorded `query.open` / `session.fork` in `upcoming` to the one `options` opens. */
  bindOpen(options: Options, upcoming: readonly TranscriptEntry[]): void {
    const next = upcoming.find((e) => e.type !== 'emit_inbound')
    if (next?.type !== 'expect_outbound') return
    const frame = rec(next.frame)
    const recorded = frame.type === 'session.fork' ? str(frame.sessionId) : str(rec(frame.options).sessionId) ?? str(rec(frame.options).resume)
    this.bind(recorded, options.sessionId ?? options.resume ?? null)
  }

  toLive(frame: unknown): unknown {
    return replaceAll(frame, this.live)
  }

  toRecorded(frame: unknown): unknown {
    return replaceAll(frame, this.recorded)
  }
}
