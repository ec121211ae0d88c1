/**
 * @module Reading what the user did from a `codex.app-server` transcript: the outbound frames
 * the user (not the adapter) caused, the text of a recorded prompt, and a recorded answer to a
 * server request. Shared by the adapter-level replay and the whole-system replay.
 */
import type { Answers, Decision } from '../../src/contracts/index.ts'
import type { TranscriptEntry } from '../replay/index.ts'

export type Obj = Record<string, unknown>
export const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {})

/** Outbound frames the adapter sends by itself while it carries out an effect. */
const ADAPTER_OWN = new Set(['initialize', 'initialized', 'thread/start', 'thread/resume', 'thread/unsubscribe'])

/** The text parts of a recorded `turn/start` or `turn/steer`. */
export const recordedText = (frame: Obj): string =>
  (Array.isArray(obj(frame.params).input) ? (obj(frame.params).input as unknown[]) : [])
    .map(obj)
    .filter((part) => part.type === 'text' && typeof part.text === 'string')
    .map((part) => part.text as string)
    .join('\n')

/** The next outbound frame the user (not the adapter) causes, from the cursor on. */
export const nextUserFrame = (remaining: readonly TranscriptEntry[]): { entry: TranscriptEntry; frame: Obj } | null => {
  for (const entry of remaining) {
    if (entry.type === 'runtime_exit') return { entry, frame: {} }
    if (entry.type !== 'expect_outbound') continue
    const frame = obj(entry.frame)
    if (typeof frame.method === 'string' && ADAPTER_OWN.has(frame.method)) continue
    return { entry, frame }
  }
  return null
}

/** A recorded answer to a server request, as the domain's decision or answers. */
export const recordedAnswer = (result: Obj): { decision: Decision } | { answers: Answers } => {
  if (typeof result.decision === 'string') return { decision: result.decision as Decision }
  if (typeof result.answers === 'object' && result.answers !== null) {
    const answers: Answers = {}
    for (const [id, value] of Object.entries(obj(result.answers))) answers[id] = (obj(value).answers as string[] | undefined) ?? []
    return { answers }
  }
  return { decision: 'accept' }
}
