/**
 * @module One app-server process per CODEX_HOME configuration, shared by the sessions that use
 * it and closed when the last one leaves. A process that died is replaced on the next acquire.
 */
import type { CodexConnection } from './connection.ts'

type Entry = { connection: CodexConnection; refs: number }

export class CodexProcessPool {
  readonly #entries = new Map<string, Entry>()
  readonly #create: (key: string) => CodexConnection

  constructor(create: (key: string) => CodexConnection) {
    this.#create = create
  }

  /** The live process for `key` (started if there is none), counted as used once more. */
  acquire(key: string): CodexConnection {
    let entry = this.#entries.get(key)
    if (!entry || !entry.connection.alive) {
      const connection = this.#create(key)
      entry = { connection, refs: 0 }
      this.#entries.set(key, entry)
      void connection.exited.then(() => {
        if (this.#entries.get(key)?.connection === connection) this.#entries.delete(key)
      })
    }
    entry.refs++
    return entry.connection
  }

  /** Gives a process back; the last user closes it. */
  async release(key: string, connection: CodexConnection): Promise<void> {
    const entry = this.#entries.get(key)
    if (!entry || entry.connection !== connection) return
    entry.refs--
    if (entry.refs > 0) return
    this.#entries.delete(key)
    await connection.close()
  }

  /** Closes every process (runner shutdown). */
  async closeAll(): Promise<void> {
    const entries = [...this.#entries.values()]
    this.#entries.clear()
    await Promise.all(entries.map((e) => e.connection.close()))
  }

  /** Number of live processes (tests, status). */
  get size(): number {
    return this.#entries.size
  }
}
