/**
 * @module A `query()` stand-in that plays a recorded `claude-agent-sdk.query` transcript, so
 * the session can be driven without a CLI. In compatible mode, not byte for byte: it waits
 * for each expected `prompt.offer` (and `query.interrupt`) before it goes on, feeds inbound
 * SDK messages, calls the session's canUseTool for `permission.request` frames and records
 * the answers, and ends a process at `runtime_exit` once the session closed the prompt. The
 * recorded session id is replaced by the one the session opened with.
 */
import type { Options, PermissionResult, Query, SDKMessage, SDKUserMessage } from '@anthropic-ai/claude-agent-sdk'
import type { QueryFn } from './claude-query.ts'
import { rec, str } from './json.ts'
import type { TranscriptEntry } from './testing.ts'

export type Replay = {
  queryFn: QueryFn
  /** Options of each query() call, in order. */
  opens: Options[]
  /** Prompts the session offered, in order. */
  prompts: SDKUserMessage[]
  /** What the session's canUseTool answered, in order. */
  answers: PermissionResult[]
  /** Entries not played yet. */
  remaining(): number
}

const frameOf = (entry: TranscriptEntry | undefined): unknown => (entry && 'frame' in entry ? entry.frame : undefined)

export function replayQuery(entries: TranscriptEntry[]): Replay {
  const start = entries[0]?.type === 'transcript_start' ? entries[0] : null
  const recordedId = str(rec(start?.metadata).nativeSessionId)
  let cursor = start ? 1 : 0
  const opens: Options[] = []
  const prompts: SDKUserMessage[] = []
  const answers: PermissionResult[] = []
  let interrupts = 0
  let interruptWaiter: (() => void) | null = null

  const queryFn = ((params: { prompt: string | AsyncIterable<SDKUserMessage>; options?: Options }) => {
    const options = params.options ?? {}
    opens.push(options)
    const liveId = options.sessionId ?? options.resume ?? recordedId ?? 'session'
    const remap = (frame: unknown): unknown => (recordedId ? JSON.parse(JSON.stringify(frame).split(recordedId).join(liveId)) : frame)
    if (typeof params.prompt === 'string') throw new Error('replay: streaming-input mode only')
    const input = params.prompt[Symbol.asyncIterator]()
    const abort = new AbortController()

    async function* play(): AsyncGenerator<SDKMessage, void> {
      if (entries[cursor]?.type === 'expect_outbound' && rec(frameOf(entries[cursor])).type === 'query.open') cursor++
      while (cursor < entries.length) {
        const entry = entries[cursor] as TranscriptEntry
        if (entry.type === 'expect_outbound') {
          const type = rec(entry.frame).type
          if (type === 'query.open') return
          if (type === 'prompt.offer') {
            const next = await input.next()
            if (next.done) return
            prompts.push(next.value)
          } else if (type === 'query.interrupt' && interrupts === 0) {
            await new Promise<void>((resolve) => (interruptWaiter = resolve))
          }
          if (type === 'query.interrupt') interrupts = Math.max(0, interrupts - 1)
          cursor++
          continue
        }
        cursor++
        if (entry.type === 'runtime_exit') {
          while (!(await input.next()).done) continue
          return
        }
        if (entry.type !== 'emit_inbound') continue
        const frame = rec(remap(entry.frame))
        if (frame.type === 'permission.request') {
          const opts = rec(frame.options)
          if (!options.canUseTool) throw new Error('replay: permission.request but no canUseTool')
          const answer = await options.canUseTool(str(frame.toolName) ?? '', rec(frame.input), { ...opts, toolUseID: str(opts.toolUseID) ?? '', requestId: 'replay', signal: abort.signal })
          if (answer) answers.push(answer)
          if (rec(frameOf(entries[cursor])).type === 'permission.response') cursor++
          continue
        }
        yield frame as SDKMessage
      }
    }

    const generator = play()
    return Object.assign(generator, {
      interrupt: async () => {
        interrupts++
        interruptWaiter?.()
        interruptWaiter = null
        return undefined
      },
      close: () => abort.abort(),
    }) as unknown as Query
  }) as QueryFn

  return { queryFn, opens, prompts, answers, remaining: () => entries.length - cursor }
}
