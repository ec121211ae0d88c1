/**
 * @module What a Claude session must remember across runner processes, kept as a small JSON
 * file in its state directory: the session id, whether its transcript exists (then the next
 * open is a `resume`, never a new session), a pending rollback cursor, the conversation head,
 * and for each Loom turn the head it started from (so a rollback that drops turns knows the
 * assistant uuid to `resumeSessionAt`), and a fork's source until its first prompt.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { isRecord } from './json.ts'

export type SessionState = {
  sessionId: string | null
  /** A prompt was sent under this id, so a transcript exists and only `resume` may reopen it. */
  started: boolean
  /** The next open resumes at this assistant uuid (a rollback), then it is cleared. */
  resumeAt: string | null
  head: string | null
  /** Native turn id -> the head before that turn (null: it was the session's first turn). */
  turnHeads: Record<string, string | null>
  /** Sessions a rollback emptied: a turn naming one starts a new session instead. */
  abandoned: string[]
  /** A fork not yet opened: the next open resumes this source session at `at` into a new one. */
  forkFrom: { sessionId: string; at: string | null } | null
}

const MAX_TURNS = 500

export const emptyState = (): SessionState => ({ sessionId: null, started: false, resumeAt: null, head: null, turnHeads: {}, abandoned: [], forkFrom: null })

export class SessionStateStore {
  private readonly file: string

  constructor(file: string) {
    this.file = file
  }

  load(): SessionState {
    let text: string
    try {
      text = readFileSync(this.file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState()
      throw error
    }
    const parsed: unknown = JSON.parse(text)
    return isRecord(parsed) ? { ...emptyState(), ...(parsed as Partial<SessionState>) } : emptyState()
  }

  save(state: SessionState): void {
    const turns = Object.entries(state.turnHeads)
    const turnHeads = turns.length > MAX_TURNS ? Object.fromEntries(turns.slice(-MAX_TURNS)) : state.turnHeads
    mkdirSync(dirname(this.file), { recursive: true })
    const tmp = `${this.file}.tmp`
    writeFileSync(tmp, JSON.stringify({ ...state, turnHeads }))
    renameSync(tmp, this.file)
  }
}
