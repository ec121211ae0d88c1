/**
 * @module Feeds a recorded `codex.app-server` transcript (../shared/upstream-fixtures format)
 * through {@link CodexEventMapper} the way a session would: outbound `turn/start` begins a run,
 * answers bind the thread and the turn, inbound frames are routed by thread (sub-agent threads
 * once claimed), server requests open runtime requests and the recorded answers close them.
 */
import { readFileSync } from 'node:fs'
import type { RunAttemptId, RunId, RuntimeEvent } from '../../../src/contracts/index.ts'
import { describeServerRequest } from '../approvals.ts'
import { threadIdOf } from '../connection.ts'
import type { CodexNotification, ServerRequest } from '../protocol.ts'
import { CodexEventMapper } from '../turn-mapper.ts'

type Frame = Record<string, unknown> & { id?: string | number; method?: string; params?: unknown; result?: unknown }
export type TranscriptEntry =
  | { type: 'transcript_start'; scenario: string; version: string }
  | { type: 'expect_outbound' | 'emit_inbound'; frame: Frame }
  | { type: 'runtime_exit'; status: string }

/** The upstream corpus, read where it lives (never copied into the repo). */
export const UPSTREAM_FIXTURES = new URL('../../../../shared/upstream-fixtures/', import.meta.url)

export function readTranscript(file: URL): TranscriptEntry[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TranscriptEntry)
}

export type Replayed = {
  events: RuntimeEvent[]
  deltas: Array<{ itemId: string; text: string }>
  /** Threads the session owned: the root thread(s) and adopted sub-agent threads. */
  threads: Set<string>
  /** Server requests the mapper refused to open (no live run), by method. */
  declined: string[]
}

export function replayTranscript(entries: TranscriptEntry[]): Replayed {
  const replayed: Replayed = { events: [], deltas: [], threads: new Set(), declined: [] }
  const mapper = new CodexEventMapper({
    emit: (event) => replayed.events.push(event),
    delta: (itemId, text) => replayed.deltas.push({ itemId, text }),
    adopt: (threadId) => replayed.threads.add(threadId),
  })
  const methods = new Map<string | number, string>()
  const requests = new Map<string | number, string>()
  let runs = 0
  const routed = (frame: CodexNotification | ServerRequest): boolean => {
    const thread = threadIdOf(frame.params)
    if (thread === null || replayed.threads.has(thread)) return true
    if (!mapper.claims(frame)) return false
    replayed.threads.add(thread)
    return true
  }
  for (const entry of entries) {
    if (entry.type === 'expect_outbound') {
      const { frame } = entry
      if (typeof frame.method === 'string') {
        if (frame.id !== undefined) methods.set(frame.id, frame.method)
        if (frame.method === 'turn/start') {
          // A session binds the thread it starts a turn on (one process may serve several).
          const threadId = (frame.params as { threadId?: string } | undefined)?.threadId
          if (threadId) {
            mapper.bindThread(threadId)
            replayed.threads.add(threadId)
          }
          runs++
          mapper.beginTurn({ runId: `run:replay:${runs}` as RunId, attemptId: `attempt:replay:${runs}:1` as RunAttemptId })
        }
      } else if (frame.id !== undefined && requests.has(frame.id)) {
        mapper.requestAnswered(requests.get(frame.id) as string)
        requests.delete(frame.id)
      }
    } else if (entry.type === 'emit_inbound') {
      const { frame } = entry
      if (typeof frame.method !== 'string') {
        const method = frame.id === undefined ? undefined : methods.get(frame.id)
        const result = frame.result as { thread?: { id: string }; turn?: { id: string } } | undefined
        if ((method === 'thread/start' || method === 'thread/resume') && result?.thread) {
          mapper.bindThread(result.thread.id)
          replayed.threads.add(result.thread.id)
        }
        if (method === 'turn/start' && result?.turn) mapper.turnAccepted(result.turn.id)
        continue
      }
      if (frame.id !== undefined) {
        const request = frame as unknown as ServerRequest
        if (!routed(request)) continue
        const description = describeServerRequest(request)
        const opened = description ? mapper.openRequest(request, description, 1) : null
        if (opened) requests.set(request.id, opened.nativeRequestId)
        else replayed.declined.push(request.method)
        continue
      }
      const notification = frame as unknown as CodexNotification
      if (routed(notification)) mapper.notification(notification)
    }
  }
  return replayed
}
