/** @module Builders for the steps thread tests replay: commands, runtime events and system commands. */
import { deriveId, type CommandInput, type ProviderKind, type RuntimeItemContent } from '../../contracts/index.ts'
import type { DecideContext, SystemCommand } from '../thread/index.ts'
import type { RuntimeEventInput, Step } from './decider-spec.ts'

export const THREAD = 'thread-1'
export const WORKSPACE = 'ws-1'
export const MODEL = { codex: { provider: 'codex', model: 'gpt-5.1-codex' }, claude: { provider: 'claude', model: 'claude-sonnet-4-5' } } as const

type CommandOf<T extends CommandInput['type']> = Extract<CommandInput, { type: T }>
type Ctx = Partial<DecideContext>

/** A command without the ids every command repeats. */
type Loose<C> = C extends unknown ? Omit<C, 'commandId' | 'threadId'> & { commandId?: string; threadId?: string } : never

/** Command ids only need to be valid here: the decider never reads them (the object dedupes by them). */
export const command = (input: Loose<CommandInput>, ctx?: Ctx): Step => ({
  command: { commandId: `cmd-${input.type}`, threadId: THREAD, ...input } as CommandInput,
  ...(ctx ? { ctx } : {}),
})

export const create = (input: Partial<CommandOf<'thread.create'>> & { provider?: ProviderKind } = {}, ctx?: Ctx): Step => {
  const { provider = 'codex', ...rest } = input
  return command({ type: 'thread.create', workspaceId: WORKSPACE, modelSelection: MODEL[provider], ...rest }, ctx)
}

export const dispatch = (text: string, input: Partial<CommandOf<'message.dispatch'>> = {}, ctx?: Ctx): Step =>
  command({ type: 'message.dispatch', text, ...input }, ctx)

export const system = (cmd: SystemCommand, ctx?: Ctx): Step => ({ system: cmd, ...(ctx ? { ctx } : {}) })
export const linked = (epoch = 1): Step => system({ type: 'runner.linked', epoch })
export const lost = (epoch = 1, reason: 'lease_expired' | 'fenced' | 'process_exited' = 'lease_expired'): Step =>
  system({ type: 'runner.lost', epoch, reason })

export const runtime = (event: RuntimeEventInput, ctx?: Ctx): Step => ({ runtime: event, ...(ctx ? { ctx } : {}) })

/** Ids as the domain derives them, for run `n` of THREAD (or `threadId`). */
export const runId = (n: number, threadId = THREAD) => deriveId.run(threadId, n)
export const attemptId = (n: number, attempt = 1, threadId = THREAD) => deriveId.attempt(runId(n, threadId), attempt)
export const rootNodeId = (n: number, attempt = 1, threadId = THREAD) => deriveId.rootNode(runId(n, threadId), attempt)
export const nativeTurn = (n: number, attempt = 1) => `turn-${n}-${attempt}`
export const requestId = (native: string, provider: ProviderKind = 'codex') => deriveId.request(provider, native)

export const turnStarted = (n: number, attempt = 1, threadId = THREAD): Step =>
  runtime({ type: 'turn.started', runId: runId(n, threadId), attemptId: attemptId(n, attempt, threadId), nativeTurnId: nativeTurn(n, attempt) })

type Terminal = Partial<Extract<RuntimeEventInput, { type: 'turn.completed' }>> & { attempt?: number; threadId?: string }
export const turnCompleted = (n: number, input: Terminal = {}): Step => {
  const { attempt = 1, threadId = THREAD, ...rest } = input
  return runtime({
    type: 'turn.completed',
    runId: runId(n, threadId),
    attemptId: attemptId(n, attempt, threadId),
    nativeTurnId: nativeTurn(n, attempt),
    status: 'completed',
    failure: null,
    usage: null,
    nativeConversationHeadRef: null,
    ...rest,
  })
}

export const item = (
  n: number,
  nativeItemId: string,
  content: RuntimeItemContent,
  input: { status?: 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted'; parent?: string | null; threadId?: string } = {},
): Step =>
  runtime({
    type: 'item.updated',
    runId: runId(n, input.threadId ?? THREAD),
    nativeItemId,
    parentNativeItemId: input.parent ?? null,
    status: input.status ?? 'completed',
    content,
  })

export const say = (n: number, nativeItemId: string, text: string, threadId = THREAD): Step =>
  item(n, nativeItemId, { type: 'assistant_message', text }, { threadId })

type Opened = Partial<Extract<RuntimeEventInput, { type: 'request.opened' }>>
export const requestOpened = (n: number, nativeRequestId: string, input: Opened = {}, ctx?: Ctx): Step =>
  runtime(
    {
      type: 'request.opened',
      runId: runId(n),
      nativeRequestId,
      nativeItemId: null,
      kind: 'command',
      prompt: 'run `ls`?',
      detail: null,
      questions: null,
      availableDecisions: ['accept', 'decline'],
      ...input,
    },
    ctx,
  )

export const respond = (nativeRequestId: string, input: Partial<CommandOf<'runtime-request.respond'>> = { decision: 'accept' }, ctx?: Ctx): Step =>
  command({ type: 'runtime-request.respond', requestId: requestId(nativeRequestId), ...input }, ctx)

export const interrupt = (n: number, ctx?: Ctx): Step => command({ type: 'run.interrupt', runId: runId(n) }, ctx)

export const checkpoint = (n: number, appRunOrdinal = n, ref = `ref-${appRunOrdinal}`): Step =>
  runtime({ type: 'checkpoint.captured', runId: n === 0 ? null : runId(n), appRunOrdinal, ref, files: [] })

export const checkpointId = (appRunOrdinal: number, threadId = THREAD) => deriveId.checkpoint(deriveId.checkpointScope(threadId), appRunOrdinal)

/** Thread, runner and one completed run: the usual starting point. */
export const completedRun = (n: number, text = `message ${n}`): Step[] => [
  dispatch(text),
  turnStarted(n),
  say(n, `msg-${n}`, `reply ${n}`),
  turnCompleted(n),
]

/** One completed run in another thread, e.g. a fork. */
export const completedRunIn = (threadId: string, n = 1): Step[] => [
  dispatch(`fork message ${n}`, { threadId }),
  turnStarted(n, 1, threadId),
  say(n, `fork-msg-${n}`, `fork reply ${n}`, threadId),
  turnCompleted(n, { threadId }),
]

/** The runner bound run `n` to a provider thread (`native` is the provider's own thread id). */
export const bound = (n: number, provider: ProviderKind, native: string, threadId = THREAD, head: string | null = null): Step =>
  runtime({ type: 'provider-thread.bound', runId: runId(n, threadId), provider, nativeThreadId: native, nativeConversationHeadRef: head })

/** A completed run served by `provider` thread `native`, optionally with another model selection. */
export const servedRun = (n: number, provider: ProviderKind, native: string, input: { text?: string; threadId?: string; head?: string } = {}): Step[] => {
  const threadId = input.threadId ?? THREAD
  return [
    dispatch(input.text ?? `message ${n}`, { threadId, modelSelection: MODEL[provider] }),
    bound(n, provider, native, threadId),
    turnStarted(n, 1, threadId),
    say(n, `${threadId}-msg-${n}`, `reply ${n}`, threadId),
    turnCompleted(n, { threadId, nativeConversationHeadRef: input.head ?? null }),
  ]
}
