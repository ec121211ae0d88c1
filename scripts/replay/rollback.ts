/**
 * @module Recordings that roll a conversation back replay as Loom's `checkpoint.rollback`, which
 * needs checkpoints: the runner captures them only in a git workspace, so such a replay runs in one.
 */
import type { Transcript } from '../../runner/replay/index.ts'

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {})

/**
 * Codex: a `thread/rollback` of a thread the recording started (not the rollback right after a
 * fork, which is the fork's starting point). Claude: a query reopened at `resumeSessionAt` without forking.
 */
export const rollsBack = (transcript: Transcript): boolean => {
  const forked = new Set<unknown>()
  for (const e of transcript.entries) {
    if (e.type === 'runtime_exit') continue
    const f = obj(e.frame)
    const thread = obj(obj(f.result).thread)
    if (e.type === 'emit_inbound' && typeof thread.forkedFromId === 'string') forked.add(thread.id)
    if (e.type !== 'expect_outbound') continue
    if (f.method === 'thread/rollback' && !forked.has(obj(f.params).threadId)) return true
    const options = obj(f.options)
    if (f.type === 'query.open' && options.resumeSessionAt !== undefined && options.forkSession !== true) return true
  }
  return false
}
