/**
 * @module The runner's console: one line per change (connected, epoch, attached threads, turns),
 * as readable text or, with `--log-format json`, one JSON object per line.
 */
import type { LogFormat } from './cli-args.ts'

export type LogLevel = 'info' | 'warn' | 'error'
export type LogFields = Record<string, string | number | boolean | null | undefined>

export type Logger = {
  info: (msg: string, fields?: LogFields) => void
  warn: (msg: string, fields?: LogFields) => void
  error: (msg: string, fields?: LogFields) => void
}

/** `msg key=value …`; values with spaces are quoted. */
const textLine = (level: LogLevel, msg: string, fields: LogFields): string => {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' && /[\s"=]/.test(v) ? JSON.stringify(v) : String(v)}`)
  const time = new Date().toISOString().slice(11, 23)
  return `${time} ${level === 'info' ? '' : `${level.toUpperCase()} `}${msg}${parts.length ? ` ${parts.join(' ')}` : ''}`
}

export const createLogger = (format: LogFormat, write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger => {
  const log = (level: LogLevel) => (msg: string, fields: LogFields = {}) =>
    write(format === 'json' ? JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields }) : textLine(level, msg, fields))
  return { info: log('info'), warn: log('warn'), error: log('error') }
}

/** A logger that keeps every line, for tests. */
export const memoryLogger = (): Logger & { lines: Array<{ level: LogLevel; msg: string; fields: LogFields }> } => {
  const lines: Array<{ level: LogLevel; msg: string; fields: LogFields }> = []
  const log = (level: LogLevel) => (msg: string, fields: LogFields = {}) => void lines.push({ level, msg, fields })
  return { lines, info: log('info'), warn: log('warn'), error: log('error') }
}
