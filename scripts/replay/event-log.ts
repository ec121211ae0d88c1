/**
 * @module An event log made comparable between replays. Ids Loom derives (thread, runs, items,
 * events, commands) are compared as they are; what is not the replay's to fix is normalized:
 * wall-clock times (the worker stamps `occurredAt`, `createdAt`, `startedAt`, ... with Date.now)
 * become `<time>`, and random UUIDs (the runner's id in `runner:<id>` actors, the live Claude
 * session id the adapter generates) become `<uuid:N>` by first appearance, so their correlation
 * still counts. Ids taken from the transcript stay the same in both replays anyway; the replay's
 * own thread and workspace names may differ (see `comparableLog`).
 */
import type { StoredEvent } from '../../src/contracts/index.ts'

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * The events with times and random UUIDs normalized, one JSON line each. The thread's own id and
 * its workspace's (the first event's) become `<thread>` and `<workspace>`, so replays of one
 * transcript on differently named threads of a shared worker compare too.
 */
export const comparableLog = (events: readonly StoredEvent[]): string[] => {
  const first = events[0]
  const workspace = (first?.event.type === 'thread.created' ? first.event.payload.workspaceId : undefined) as string | undefined
  const names: [RegExp, string][] = [
    ...(first ? [[new RegExp(escape(first.threadId), 'g'), '<thread>'] as [RegExp, string]] : []),
    ...(workspace ? [[new RegExp(escape(workspace), 'g'), '<workspace>'] as [RegExp, string]] : []),
    // The runner's temp working directory (runner.ts), e.g. in a command's cwd.
    [/[^\s"']*\/loom-replay-ws-[A-Za-z0-9]+/g, '<runner-dir>'],
  ]
  const named = (text: string): string => names.reduce((t, [pattern, name]) => t.replace(pattern, name), text)
  const uuids = new Map<string, string>()
  const uuid = (id: string): string => {
    if (!uuids.has(id)) uuids.set(id, `<uuid:${uuids.size + 1}>`)
    return uuids.get(id)!
  }
  const normalize = (key: string, value: unknown): unknown => {
    // `…At` times and a response's `at`.
    if (typeof value === 'number' && /(At|^at)$/.test(key)) return '<time>'
    if (typeof value === 'string') return named(value.replace(UUID, uuid))
    if (Array.isArray(value)) return value.map((v) => normalize('', v))
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(k, v)]))
    return value
  }
  return events.map((e) => JSON.stringify(normalize('', e)))
}
