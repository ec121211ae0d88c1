/**
 * @module A thread's projection as JSON text. Its entities are joined from the text each was
 * serialized to when it was committed (worker/store/thread/sql.ts, `jsonOf`) rather than
 * stringified again: a snapshot of a long thread is megabytes, and serializing it was most of
 * a subscription's cost (bench, catch-up). The shape is `toProjection`'s, key for key.
 */
import { toProjection } from '../../src/domain/thread/index.ts'
import { jsonOf } from '../store/thread/sql.ts'
import type { ThreadCore } from './core.ts'

export const projectionText = (core: ThreadCore): string => {
  const projection = toProjection(core.state, core.sequence, Object.fromEntries(core.buffer))
  const fields: string[] = []
  for (const [key, value] of Object.entries(projection)) {
    if (value === undefined) continue
    const text = Array.isArray(value) ? `[${value.map((entity: object) => jsonOf(entity)).join(',')}]` : JSON.stringify(value)
    fields.push(`${JSON.stringify(key)}:${text}`)
  }
  return `{${fields.join(',')}}`
}
