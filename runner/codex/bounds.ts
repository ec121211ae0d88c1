/** @module Size bounds of runtime event fields, applied before an event leaves the adapter. */

/** Field limits of src/contracts/runtime-events.ts (the zod schema refuses anything longer). */
export const BOUND = {
  text: 1_000_000,
  prompt: 10_000,
  subagentPrompt: 100_000,
  title: 500,
  model: 200,
  nativeId: 512,
  summary: 4_000,
  query: 4_000,
  listItems: 100,
  changes: 1_000,
  todoSteps: 500,
  explanation: 10_000,
  questions: 50,
  options: 50,
} as const

/** Keeps the head of `text` (messages, prompts). */
export const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`)

/** Keeps the tail of `text` (command output: the end says how it went). */
export const clipTail = (text: string, max: number): string => (text.length <= max ? text : `…${text.slice(text.length - max + 1)}`)

/** A bounded one-line JSON rendering of any value, for generic items and request details. */
export const summarize = (value: unknown, max: number = BOUND.summary): string => {
  let json: string
  try {
    json = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
  } catch (error) {
    json = `[unserializable: ${error instanceof Error ? error.message : String(error)}]`
  }
  return clip(json, max)
}
