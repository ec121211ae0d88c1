/**
 * @module Commands as the soak's clients send them: each command id retried until it is
 * answered (no answer and 5xx are retried, 429 after its Retry-After, other 4xx are final),
 * and on purpose sent twice at once or again after its answer, so duplicates reach the worker
 * concurrently and late. Every attempt goes into the record.
 */
import type { CommandAttempt, CommandRecord } from './record.ts'
import { request } from './http.ts'
import type { Random } from './random.ts'

/** `inflight`: sends not finished yet (the record is taken once they all are). */
export type CommandLog = { records: CommandRecord[]; duplicatesSent: number; inflight: Set<Promise<unknown>> }

export type Sender = {
  base: string
  token: string
  random: Random
  log: CommandLog
  /** Chance of a concurrent duplicate, and of a late one after the answer. */
  duplicateChance: number
}

let counter = 0
export const commandId = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const attempt = async (s: Sender, command: Record<string, unknown>, record: CommandRecord): Promise<CommandAttempt & { retryAfter: number | null }> => {
  const answer = await request(`${s.base}/v1/commands`, s.token, command)
  const sequence = answer.status === 200 && typeof answer.body?.sequence === 'number' ? answer.body.sequence : null
  const code = answer.status !== 200 && typeof answer.body?.code === 'string' ? answer.body.code : null
  const entry: CommandAttempt = { status: answer.status, sequence, code }
  record.attempts.push(entry)
  return { ...entry, retryAfter: answer.retryAfter }
}

const retryable = (status: number | null) => status === null || status >= 500 || status === 429

/** Sends `command` (it carries its `commandId`) until answered or `timeoutMs` passes; returns the final attempt. */
export const send = (s: Sender, command: Record<string, unknown> & { commandId: string; type: string; threadId: string }, timeoutMs = 45_000): Promise<CommandAttempt> => {
  const sending = sendUntilAnswered(s, command, timeoutMs)
  s.log.inflight.add(sending)
  void sending.finally(() => s.log.inflight.delete(sending))
  return sending
}

const sendUntilAnswered = async (s: Sender, command: Record<string, unknown> & { commandId: string; type: string; threadId: string }, timeoutMs: number): Promise<CommandAttempt> => {
  const record: CommandRecord = { commandId: command.commandId, threadId: command.threadId, type: command.type, attempts: [] }
  s.log.records.push(record)
  const deadline = Date.now() + timeoutMs
  const duplicate = s.random.chance(s.duplicateChance)
  const late = s.random.chance(s.duplicateChance)
  let last = duplicate ? await Promise.all([attempt(s, command, record), attempt(s, command, record)]).then(([a, b]) => (retryable(a.status) ? b : a)) : await attempt(s, command, record)
  if (duplicate) s.log.duplicatesSent++
  for (let n = 1; retryable(last.status) && Date.now() < deadline; n++) {
    await sleep(last.retryAfter !== null ? last.retryAfter * 1000 : Math.min(2000, 100 * 2 ** n))
    last = await attempt(s, command, record)
  }
  if (late && last.status === 200) {
    s.log.duplicatesSent++
    await attempt(s, command, record)
  }
  return last
}
