/**
 * @module Structured logs from the worker: one JSON object per line, `{ level, msg, ...ids }`,
 * which Workers Logs and `wrangler tail` index by field. Ids (thread, run, runner, epoch) go in
 * as fields, never inside `msg`; anything that looks like a credential is redacted.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** The fields a line may carry; the named ones are what operators search by. */
export type LogFields = {
  threadId?: string | null
  runId?: string | null
  workspaceId?: string | null
  runnerId?: string | null
  epoch?: number | null
  cause?: unknown
  [key: string]: unknown
}

const SECRET_KEY = /token|secret|authorization|password|jwt|cookie|api[-_]?key/i

/** An Error as its stack (or message); other causes as text. */
const describeCause = (cause: unknown): string => (cause instanceof Error ? (cause.stack ?? `${cause.name}: ${cause.message}`) : String(cause))

/** The JSON line for one entry. Exported for tests. */
export const formatLine = (level: LogLevel, msg: string, fields: LogFields = {}): string => {
  const entry: Record<string, unknown> = { level, msg }
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue
    if (SECRET_KEY.test(key)) entry[key] = '[redacted]'
    else if (key === 'cause') entry.cause = describeCause(value)
    else entry[key] = value
  }
  try {
    return JSON.stringify(entry)
  } catch {
    // A field that cannot be serialized (a cycle, a BigInt) must not lose the line.
    return JSON.stringify({ level, msg, unserializable: Object.keys(entry).join(',') })
  }
}

const write: Record<LogLevel, (line: string) => void> = {
  debug: (line) => console.debug(line),
  info: (line) => console.log(line),
  warn: (line) => console.warn(line),
  error: (line) => console.error(line),
}

export const log = {
  debug: (msg: string, fields?: LogFields): void => write.debug(formatLine('debug', msg, fields)),
  info: (msg: string, fields?: LogFields): void => write.info(formatLine('info', msg, fields)),
  warn: (msg: string, fields?: LogFields): void => write.warn(formatLine('warn', msg, fields)),
  error: (msg: string, fields?: LogFields): void => write.error(formatLine('error', msg, fields)),
}
