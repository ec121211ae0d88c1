/**
 * @module Reading loosely typed SDK frames. Recorded transcripts come from older SDK versions
 * and some live messages (`command_lifecycle`) are not in the SDK's types, so the mapping
 * reads frames as plain JSON through these guards instead of trusting a static type.
 */

export type Json = Record<string, unknown>

export const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

export const rec = (value: unknown): Json => (isRecord(value) ? value : {})

export const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])

export const str = (value: unknown): string | null => (typeof value === 'string' ? value : null)

export const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null)

/** JSON text of a value, cut to `max` characters. */
export const clip = (value: unknown, max = 100_000): string => {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? ''
  return text.length > max ? `${text.slice(0, max)}…` : text
}

/** The text of a tool_result `content`: a string, or the text blocks of an array. */
export const resultText = (content: unknown): string => {
  if (typeof content === 'string') return content
  return arr(content)
    .map((block) => {
      const b = rec(block)
      if (b.type === 'text') return str(b.text) ?? ''
      if (b.type === 'tool_reference') return `[tool ${str(b.tool_name) ?? '?'}]`
      return ''
    })
    .filter((t) => t.length > 0)
    .join('\n')
}
