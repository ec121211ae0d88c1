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
const textLine = (level: LogLevel, msg: string, fields: LogFields, at: Date): string => {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' && /[\s"=]/.test(v) ? JSON.stringify(v) : String(v)}`)
  const time = at.toISOString().slice(11, 23)
  return `${time} ${level === 'info' ? '' : `${level.toUpperCase()} `}${msg}${parts.length ? ` ${parts.join(' ')}` : ''}`
}

/**
 * Text for people, JSON for machines. In text, a line identical to the one before (a retry that
 * keeps failing the same way) is not printed again: it is counted, shown again at the 10th,
 * 100th, 1000th repeat, and the count is printed once something else happens. JSON keeps every
 * line, since tools wait on them.
 */
export const createLogger = (
  format: LogFormat,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  now: () => Date = () => new Date(),
  /** Fields every JSON line carries (the runner id, its epoch once issued). */
  context: () => LogFields = () => ({}),
): Logger => {
  let previous = ''
  let repeats = 0
  const flushRepeats = (time: Date) => {
    if (repeats > 0 && !isPowerOfTen(repeats)) write(textLine('info', `(the line before repeated ${repeats} times)`, {}, time))
    repeats = 0
  }
  const log = (level: LogLevel) => (msg: string, fields: LogFields = {}) => {
    const time = now()
    if (format === 'json') return write(JSON.stringify({ t: time.toISOString(), level, msg, ...context(), ...fields }))
    const key = `${level}\u0000${msg}\u0000${JSON.stringify(fields)}`
    if (key === previous) {
      repeats++
      if (isPowerOfTen(repeats)) write(textLine(level, msg, { ...fields, repeated: repeats }, time))
      return
    }
    flushRepeats(time)
    previous = key
    write(textLine(level, msg, fields, time))
  }
  return { info: log('info'), warn: log('warn'), error: log('error') }
}

const isPowerOfTen = (n: number): boolean => n >= 10 && /^10*$/.test(String(n))

/** A logger that keeps every line, for tests. */
export const memoryLogger = (): Logger & { lines: Array<{ level: LogLevel; msg: string; fields: LogFields }> } => {
  const lines: Array<{ level: LogLevel; msg: string; fields: LogFields }> = []
  const log = (level: LogLevel) => (msg: string, fields: LogFields = {}) => void lines.push({ level, msg, fields })
  return { lines, info: log('info'), warn: log('warn'), error: log('error') }
}
