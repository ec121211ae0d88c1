/**
 * @module Test plumbing for the Codex adapter against the real app-server: an isolated temp
 * root per test, the provider environment pointing at the fake Responses API, a session whose
 * events, deltas and native frames are recorded, and effect builders.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { InteractionMode, RunAttemptId, RunId, RuntimeEvent, RuntimeMode, MessageId, ImageAttachment, ProviderThreadId } from '../../../src/contracts/index.ts'
import { codexApiKeyEnv, fakeModelInfo, fakeOpenAIModel } from '../../../fixtures/fake-models/index.ts'
import type { ProviderSession, TurnStart } from '../../adapter.ts'
import type { NativeLog } from '../../native-log.ts'
import type { CodexAdapter } from '../adapter.ts'
import { CODEX_ENV_KEYS } from '../provider-config.ts'

/** A temp root with a state dir and a workspace; `remove` deletes it. */
export async function tempRoot(prefix = 'loom-codex-adapter-') {
  const root = await mkdtemp(path.join(os.tmpdir(), prefix))
  const dirs = { root, state: path.join(root, 'state'), work: path.join(root, 'work'), catalog: path.join(root, 'catalog.json') }
  await mkdir(dirs.state)
  await mkdir(dirs.work)
  // The fake model with image input, so attachments and view_image reach the model.
  await writeFile(dirs.catalog, JSON.stringify({ models: [{ ...fakeModelInfo(), input_modalities: ['text', 'image'] }] }))
  return { ...dirs, remove: () => rm(root, { recursive: true, force: true, maxRetries: 3 }) }
}

/** `providerEnv` for a local Responses API at `baseUrl`, no retries. */
export function fakeProviderEnv(baseUrl: string, catalog: string): Record<string, string> {
  return {
    [CODEX_ENV_KEYS.baseUrl]: baseUrl,
    [CODEX_ENV_KEYS.envKey]: codexApiKeyEnv,
    [CODEX_ENV_KEYS.model]: fakeOpenAIModel,
    [CODEX_ENV_KEYS.modelCatalog]: catalog,
    [CODEX_ENV_KEYS.maxRetries]: '0',
    [codexApiKeyEnv]: 'test-key',
  }
}

export type LoggedFrame = { dir: 'out' | 'in' | 'exit'; frame: Record<string, unknown> }

/** A session with everything it reported. */
export type Recorded = Awaited<ReturnType<typeof openRecorded>>

/** Opens a session whose emit / delta / log are recorded, with `waitFor` over the events. */
export async function openRecorded(adapter: CodexAdapter, options: { stateDir: string; cwd: string; providerEnv: Record<string, string>; threadId?: string }) {
  const events: RuntimeEvent[] = []
  const deltas: Array<{ itemId: string; text: string }> = []
  const frames: LoggedFrame[] = []
  const waiters = new Set<() => void>()
  const wake = () => {
    for (const w of [...waiters]) w()
  }
  const log: NativeLog = {
    outbound: (frame) => frames.push({ dir: 'out', frame: frame as Record<string, unknown> }),
    inbound: (frame) => frames.push({ dir: 'in', frame: frame as Record<string, unknown> }),
    exit: (status, error) => frames.push({ dir: 'exit', frame: { status, error } }),
  }
  const session: ProviderSession = await adapter.openSession({
    threadId: options.threadId ?? 'thread-test',
    cwd: options.cwd,
    stateDir: options.stateDir,
    providerEnv: options.providerEnv,
    emit: (event) => {
      events.push(event)
      wake()
    },
    delta: (itemId, text) => {
      deltas.push({ itemId, text })
      wake()
    },
    log,
  })
  /** Resolves with the first event from index `from` matching `match`. */
  const waitFor = <T extends RuntimeEvent['type']>(type: T, match: (e: Extract<RuntimeEvent, { type: T }>) => boolean = () => true, from = 0, timeoutMs = 20_000) =>
    new Promise<Extract<RuntimeEvent, { type: T }>>((resolve, reject) => {
      const check = () => {
        const found = events.slice(from).find((e): e is Extract<RuntimeEvent, { type: T }> => e.type === type && match(e as Extract<RuntimeEvent, { type: T }>))
        if (!found) return
        waiters.delete(check)
        clearTimeout(timer)
        resolve(found)
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`no ${type} within ${timeoutMs} ms; saw ${events.map((e) => e.type).join(', ')}`))
      }, timeoutMs)
      waiters.add(check)
      check()
    })
  const waitForDelta = (timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (deltas.length === 0) return
        waiters.delete(check)
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => reject(new Error('no delta')), timeoutMs)
      waiters.add(check)
      check()
    })
  const of = <T extends RuntimeEvent['type']>(type: T) => events.filter((e): e is Extract<RuntimeEvent, { type: T }> => e.type === type)
  return { session, events, deltas, frames, waitFor, waitForDelta, of }
}

let runs = 0

/** A `turn.start` effect body for a new run. */
export function turnStart(
  text: string,
  options: { runtimeMode?: RuntimeMode; interactionMode?: InteractionMode; nativeThreadRef?: string; attachments?: ImageAttachment[] } = {},
): TurnStart {
  const n = ++runs
  return {
    kind: 'turn.start',
    runId: `run:t:${n}` as RunId,
    attemptId: `attempt:run:t:${n}:1` as RunAttemptId,
    runOrdinal: n,
    modelSelection: { provider: 'codex', model: fakeOpenAIModel },
    runtimeMode: options.runtimeMode ?? 'approval-required',
    interactionMode: options.interactionMode ?? 'default',
    message: { messageId: `message:${n}` as MessageId, text, attachments: options.attachments ?? [] },
    providerThread: options.nativeThreadRef
      ? { id: `provider-thread:codex:${options.nativeThreadRef}` as ProviderThreadId, provider: 'codex', nativeThreadRef: options.nativeThreadRef, nativeConversationHeadRef: null }
      : null,
    handoffText: null,
    worktreePath: null,
    fork: null,
  }
}

/** Pids of this process's live children whose command name is `codex`. */
export async function codexChildren(): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises')
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    // A process that ended between readdir and readFile has no stat: not a child any more.
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' || error.code === 'ESRCH' ? '' : Promise.reject(error)))
    // pid (comm) state ppid …
    const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat)
    if (match && match[1] === 'codex' && Number(match[2]) === process.pid) pids.push(Number(entry))
  }
  return pids
}
