/**
 * @module The Claude replay transport: stands in for the SDK's `query()` (streaming input) and
 * `forkSession()` and plays a recorded `claude-agent-sdk.query` transcript through the replay
 * core (runner/replay): every call the session makes becomes the outbound frame the native log
 * would write (`query.open`, `prompt.offer`, `permission.response`, `query.interrupt`,
 * `session.fork`) and is matched by the cursor, strictly for our own fixtures, by frame type
 * (with the fork equivalence) for the upstream corpus. Recorded inbound frames are yielded as
 * SDK messages (`afterMs` on the virtual clock); `permission.request` calls the session's
 * canUseTool, whose answer is the next outbound frame. A recorded `runtime_exit` ends the query
 * when the session lets it go (prompt closed or `close()`), or at once with an error status.
 * Recorded session ids reach the session as the live ones. A failure rejects the query (and a
 * pending interrupt), is kept in `failures`, and `assertComplete()` rethrows it.
 */
import type { CanUseTool, ForkSessionOptions, ForkSessionResult, Options, PermissionResult, Query, SDKMessage, SDKUserMessage } from '@anthropic-ai/claude-agent-sdk'
import { createReplayCursor, createVirtualClock, type ReplayCursor, type ReplayCursorOptions, type Transcript } from '../replay/index.ts'
import { loggedOptions, type QueryFn } from './claude-query.ts'
import { rec, str } from './json.ts'
import { actionFrame, ClientActions } from './replay-actions.ts'
import { ClaudeReplayError, replayFailure } from './replay-failure.ts'
import { SessionIds } from './replay-ids.ts'

/** Cursor options; the clock defaults to an automatic virtual clock (nobody steps it). */
export type ClaudeReplayOptions = ReplayCursorOptions

export type Replay = {
  queryFn: QueryFn
  /** The stand-in for the SDK's `forkSession()`. */
  forkSession: (sessionId: string, options?: ForkSessionOptions) => Promise<ForkSessionResult>
  cursor: ReplayCursor
  /** Options of each query() call, in order. */
  opens: Options[]
  /** Prompts the session offered, in order. */
  prompts: SDKUserMessage[]
  /** What the session's canUseTool answered, in order. */
  answers: PermissionResult[]
  /** Replay failures, first first. */
  failures: Error[]
  /** Entries not played yet. */
  remaining(): number
  /** Throws the first failure, else `Incomplete` with the entries left. */
  assertComplete(): void
}

export function replayQuery(transcript: Transcript, options: ClaudeReplayOptions): Replay {
  const cursor = createReplayCursor(transcript, { ...options, clock: options.clock ?? createVirtualClock({ auto: true }) })
  const ids = new SessionIds()
  const opens: Options[] = []
  const prompts: SDKUserMessage[] = []
  const answers: PermissionResult[] = []
  const failures: Error[] = []

  const wrappedOf = new WeakMap<object, Error>()
  const fail = (error: unknown): Error => {
    const known = typeof error === 'object' && error !== null ? wrappedOf.get(error) : undefined
    if (known) return known
    const wrapped = replayFailure(error)
    const failure = wrapped instanceof Error ? wrapped : new Error(String(wrapped))
    if (typeof error === 'object' && error !== null) wrappedOf.set(error, failure)
    if (!failures.includes(failure)) failures.push(failure)
    return failure
  }

  /** Matches one live outbound frame (compared with the recorded session ids in compatible mode). */
  const outbound = (frame: unknown): void => {
    cursor.expectOutbound(options.mode === 'compatible' ? ids.toRecorded(frame) : frame)
  }

  const queryFn = ((params: { prompt: string | AsyncIterable<SDKUserMessage>; options?: Options }) => {
    const opts = params.options ?? {}
    opens.push(opts)
    const actions = new ClientActions()
    const abort = new AbortController()
    let opening: unknown = null
    try {
      ids.bindOpen(opts, cursor.remaining())
      outbound({ type: 'query.open', options: loggedOptions(opts) })
    } catch (error) {
      opening = fail(error)
    }
    const prompt = params.prompt
    if (typeof prompt === 'string') opening ??= fail(new Error('replay: streaming-input mode only'))
    else void readPrompt(prompt, actions)

    const ask = (frame: Record<string, unknown>): void => {
      const canUseTool = opts.canUseTool
      if (!canUseTool) throw new Error(`replay: the transcript asks permission for ${String(frame.toolName)}, but the query has no canUseTool`)
      const o = rec(frame.options)
      const askOptions = { ...o, toolUseID: str(o.toolUseID) ?? '', signal: abort.signal } as unknown as Parameters<CanUseTool>[2]
      canUseTool(str(frame.toolName) ?? '', rec(frame.input), askOptions).then(
        (result) => {
          if (!result) return void fail(new Error(`replay: canUseTool gave no answer for ${String(frame.toolName)}`))
          answers.push(result)
          actions.push({ kind: 'permission', result })
        },
        (error: unknown) => fail(error),
      )
    }

    async function* play(): AsyncGenerator<SDKMessage, void> {
      if (opening) throw opening
      for (;;) {
        for await (const { frame } of cursor.drainInbound()) {
          const live = rec(ids.toLive(frame))
          if (live.type === 'permission.request') ask(live)
          else yield live as SDKMessage
        }
        const next = cursor.peek()
        if (next?.type === 'runtime_exit' && next.status === 'error') {
          cursor.takeExit()
          throw new RecordedExit(next.error ?? 'Claude Code exited with an error')
        }
        const action = await actions.next()
        if (action.kind === 'end') {
          cursor.takeExit()
          return
        }
        if (action.kind === 'prompt') {
          prompts.push(action.message)
          // Results name the prompts they answer by uuid: bind the recorded prompt's to the live one.
          ids.bind(str(rec(rec(frameAhead(cursor)).message).uuid), action.message.uuid ?? null)
        }
        try {
          outbound(actionFrame(action))
        } catch (error) {
          if (action.kind === 'interrupt') action.settle(fail(error))
          throw error
        }
        if (action.kind === 'interrupt') action.settle(null)
      }
    }

    async function* guarded(): AsyncGenerator<SDKMessage, void> {
      try {
        yield* play()
      } catch (error) {
        const failure = error instanceof RecordedExit ? error : fail(error)
        actions.stop(failure)
        throw failure
      } finally {
        abort.abort()
        actions.stop(new Error('replay: the query has ended'))
      }
    }

    return Object.assign(guarded(), {
      interrupt: () => actions.interrupt(),
      close: () => {
        abort.abort()
        actions.push({ kind: 'end' })
      },
    }) as unknown as Query
  }) as QueryFn

  const forkSession = async (sessionId: string, forkOptions: ForkSessionOptions = {}): Promise<ForkSessionResult> => {
    try {
      ids.bind(str(rec(frameAhead(cursor)).sessionId), sessionId)
      outbound({ type: 'session.fork', sessionId, options: forkOptions })
      let forked: string | null = null
      for await (const { frame } of cursor.drainInbound()) {
        const live = rec(ids.toLive(frame))
        if (live.type !== 'session.forked') throw new Error(`replay: session.fork answered by ${String(live.type)}, not session.forked`)
        forked = str(live.sessionId)
      }
      if (!forked) throw new Error('replay: session.fork was not answered by session.forked')
      return { sessionId: forked }
    } catch (error) {
      throw fail(error)
    }
  }

  return {
    queryFn,
    forkSession,
    cursor,
    opens,
    prompts,
    answers,
    failures,
    remaining: () => cursor.remaining().length,
    assertComplete: () => {
      if (failures[0]) throw failures[0]
      try {
        cursor.assertComplete()
      } catch (error) {
        throw replayFailure(error)
      }
    },
  }
}

/** The recorded runtime ended with an error: the query fails as it did, which is no replay failure. */
class RecordedExit extends Error {}

/** The frame of the next recorded outbound entry. */
const frameAhead = (cursor: ReplayCursor): unknown => {
  const next = cursor.remaining().find((e) => e.type !== 'emit_inbound')
  return next?.type === 'expect_outbound' ? next.frame : undefined
}

/** Feeds the session's prompt messages to the replay loop, then its end. */
async function readPrompt(prompt: AsyncIterable<SDKUserMessage>, actions: ClientActions): Promise<void> {
  for await (const message of prompt) actions.push({ kind: 'prompt', message })
  actions.push({ kind: 'end' })
}

export { ClaudeReplayError }
