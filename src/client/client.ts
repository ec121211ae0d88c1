/** @module `createLoomClient`: every HTTP route and WebSocket subscription of Loom, typed from the contracts. */
import type { CommandInput } from '../contracts/commands.ts'
import { DispatchResult } from '../contracts/commands.ts'
import { ThreadProjection } from '../contracts/projection.ts'
import type { ShellStreamItem, ThreadStreamItem } from '../contracts/wire/client.ts'
import { EventsPage, Health, ProvidersReport, ThreadList } from '../contracts/wire/http.ts'
import type { BackoffOptions } from './backoff.ts'
import { ConnectionTracker, type ConnectionObservable } from './connection.ts'
import { httpCaller, seg } from './http.ts'
import { success, type Result } from './result.ts'
import { shellStreamSpec } from './shell-stream.ts'
import { ReconnectingSubscription, type Subscription } from './subscription.ts'
import { threadStreamSpec } from './thread-stream.ts'
import type { WebSocketConstructor } from './socket.ts'
import { commandShortcuts, type CommandShortcuts } from './shortcuts.ts'

export type LoomClientOptions = {
  /** `http(s)://host[:port]`; sockets use `ws(s)://` on the same host. */
  baseUrl: string
  /** A bearer token, or a function read on every call and every reconnect. */
  token: string | (() => string)
  fetch?: typeof fetch
  WebSocket?: WebSocketConstructor
  reconnect?: BackoffOptions
  /** Items a subscription buffers for a slow consumer before it overflows (default 1000). */
  maxQueuedItems?: number
  /** Command ids for `dispatch` calls that bring none (default `crypto.randomUUID()`). */
  newId?: () => string
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** Any command; `commandId` may be left out and is then generated. */
export type DispatchInput = DistributiveOmit<CommandInput, 'commandId'> & { commandId?: string }
export type Dispatched = DispatchResult & { commandId: string }
/** A unified diff as text; `truncated` when the runner cut it to its size limit. */
export type Diff = { diff: string; truncated: boolean }

export type SubscribeOptions = {
  signal?: AbortSignal
  /** What a slow consumer gets: a fresh snapshot after dropping what it missed (default), or an error. */
  onOverflow?: 'snapshot' | 'error'
}

export type ThreadSubscription = Subscription<ThreadStreamItem> & {
  /** The highest sequence delivered so far; the resume point after a reconnect. */
  readonly lastSequence: number | null
}

export type LoomClient = CommandShortcuts & {
  dispatch(command: DispatchInput, opts?: { signal?: AbortSignal }): Promise<Result<Dispatched>>
  getThread(threadId: string, opts?: { signal?: AbortSignal }): Promise<Result<ThreadProjection>>
  getEvents(threadId: string, query?: { after?: number; limit?: number; signal?: AbortSignal }): Promise<Result<EventsPage>>
  listThreads(workspaceId: string, query?: { archived?: boolean; signal?: AbortSignal }): Promise<Result<ThreadList>>
  getProviders(workspaceId: string, opts?: { signal?: AbortSignal }): Promise<Result<ProvidersReport>>
  /** The unified diff a checkpoint captured (from the previous checkpoint). */
  getCheckpointDiff(threadId: string, checkpointId: string, opts?: { signal?: AbortSignal }): Promise<Result<Diff>>
  /** The unified diff of a run (from its baseline). */
  getRunDiff(threadId: string, runId: string, opts?: { signal?: AbortSignal }): Promise<Result<Diff>>
  health(opts?: { signal?: AbortSignal }): Promise<Result<Health>>
  subscribeThread(threadId: string, opts?: SubscribeOptions & { afterSequence?: number }): ThreadSubscription
  subscribeShell(workspaceId: string, opts?: SubscribeOptions & { archived?: boolean }): Subscription<ShellStreamItem>
  /** Online / offline / idle across this client's subscriptions. */
  readonly connection: ConnectionObservable
}

const defaultId = (): string => crypto.randomUUID()

export const createLoomClient = (options: LoomClientOptions): LoomClient => {
  const token = typeof options.token === 'function' ? options.token : () => options.token as string
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const WebSocketImpl = options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketConstructor)
  const newId = options.newId ?? defaultId
  const { json: http, raw } = httpCaller({ baseUrl: options.baseUrl, token, fetch: fetchImpl })
  const diff = async (path: string, signal: AbortSignal | undefined): Promise<Result<Diff>> => {
    const answered = await raw({ method: 'GET', path, signal })
    if (!answered.ok) return answered
    try {
      return success({ diff: await answered.value.text(), truncated: answered.value.headers.get('loom-diff-truncated') === 'true' })
    } catch (cause) {
      return { ok: false, error: { code: 'network_error', message: `the diff could not be read: ${String(cause)}`, status: answered.value.status } }
    }
  }
  const connection = new ConnectionTracker()
  const socketOptions = (opts: SubscribeOptions) => ({
    baseUrl: options.baseUrl,
    token,
    WebSocket: WebSocketImpl,
    maxQueuedItems: options.maxQueuedItems ?? 1000,
    onOverflow: opts.onOverflow ?? 'snapshot',
    reconnect: options.reconnect ?? {},
    ...(opts.signal ? { signal: opts.signal } : {}),
    onState: (subscription: object, state: Parameters<ConnectionTracker['set']>[1]) => connection.set(subscription, state),
  })

  const dispatch: LoomClient['dispatch'] = async (command, opts) => {
    const commandId = command.commandId ?? newId()
    const result = await http('POST', '/v1/commands', DispatchResult, { ...command, commandId }, opts?.signal)
    return result.ok ? success({ ...result.value, commandId }) : result
  }

  const getThread: LoomClient['getThread'] = (threadId, opts) => http('GET', `/v1/threads/${seg(threadId)}`, ThreadProjection, undefined, opts?.signal)
  const listThreads: LoomClient['listThreads'] = (workspaceId, query = {}) =>
    http('GET', `/v1/workspaces/${seg(workspaceId)}/threads${query.archived ? '?archived=true' : ''}`, ThreadList, undefined, query.signal)

  return {
    connection,
    dispatch,
    ...commandShortcuts(dispatch, newId),
    getThread,
    getEvents: (threadId, query = {}) => {
      const params = new URLSearchParams()
      if (query.after !== undefined) params.set('after', String(query.after))
      if (query.limit !== undefined) params.set('limit', String(query.limit))
      const search = params.size > 0 ? `?${params}` : ''
      return http('GET', `/v1/threads/${seg(threadId)}/events${search}`, EventsPage, undefined, query.signal)
    },
    listThreads,
    getProviders: (workspaceId, opts) => http('GET', `/v1/workspaces/${seg(workspaceId)}/providers`, ProvidersReport, undefined, opts?.signal),
    getCheckpointDiff: (threadId, checkpointId, opts) => diff(`/v1/threads/${seg(threadId)}/checkpoints/${seg(checkpointId)}/diff`, opts?.signal),
    getRunDiff: (threadId, runId, opts) => diff(`/v1/threads/${seg(threadId)}/runs/${seg(runId)}/diff`, opts?.signal),
    health: (opts) => http('GET', '/v1/health', Health, undefined, opts?.signal),
    subscribeThread: (threadId, opts = {}) => {
      const probe = async () => {
        const answer = await getThread(threadId)
        return answer.ok ? null : answer.error
      }
      const spec = threadStreamSpec(threadId, opts.afterSequence, probe)
      const subscription = new ReconnectingSubscription(spec, socketOptions(opts))
      return Object.defineProperty(subscription, 'lastSequence', { get: () => spec.position.lastSequence }) as unknown as ThreadSubscription
    },
    subscribeShell: (workspaceId, opts = {}) => {
      const probe = async () => {
        const answer = await listThreads(workspaceId)
        return answer.ok ? null : answer.error
      }
      return new ReconnectingSubscription(shellStreamSpec(workspaceId, opts.archived, probe), socketOptions(opts))
    },
  }
}
