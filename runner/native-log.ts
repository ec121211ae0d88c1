/**
 * @module The native protocol log: every frame in and out of a provider session as NDJSON in
 * the replay fixture format (../shared/upstream-fixtures/README.md), so any live session can
 * become a fixture. This is the interface; the file-backed writer lives beside it.
 */

export type FixtureProtocol = 'codex.app-server' | 'claude-agent-sdk.query'

export interface NativeLog {
  /** A frame the runner sent to the provider (`expect_outbound`). */
  outbound(frame: unknown, label?: string): void
  /** A frame the provider sent (`emit_inbound`). */
  inbound(frame: unknown, label?: string): void
  /** The provider process or query ended (`runtime_exit`). */
  exit(status: 'success' | 'error' | 'cancelled', error?: string): void
}

/** A log that keeps nothing, for probes that do not record. */
export const nullLog: NativeLog = { outbound() {}, inbound() {}, exit() {} }
