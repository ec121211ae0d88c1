/**
 * @module A thread's projection as JSON text, joined entity by entity: an entity committed since
 * its projection row was written is taken as the text it was committed as (worker/store/thread/sql.ts),
 * the rest are serialized. The shape is `toProjection`'s, key for key.
 */
import { toProjection } from '../../src/domain/thread/index.ts'
import { jsonForRead } from '../store/thread/sql.ts'
import type { ThreadCore } from './core.ts'

export const projectionText = (core: ThreadCore): string => {
  const projection = toProjection(core.state, core.sequence, Object.fromEntries(core.buffer))
  const fields: string[] = []
  for (const [key, value] of Object.entries(projection)) {
    if (value === undefined) continue
    const text = Array.isArray(value) ? `[${value.map((entity: object) => jsonForRead(entity)).join(',')}]` : JSON.stringify(value)
    fields.push(`${JSON.stringify(key)}:${text}`)
  }
  return `{${fields.join(',')}}`
}
