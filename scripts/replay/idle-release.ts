/**
 * @module Recordings where the provider process ended and a new one resumed the conversation
 * replay as Loom's idle release: the worker (on a short LOOM_IDLE_SECONDS) stops the provider
 * session of a thread with no active run, and the next run opens a new one that resumes.
 */
import type { Transcript } from '../../runner/replay/index.ts'
import type { ThreadProjection } from '../../src/contracts/index.ts'

/** Every provider session of the thread stopped by an idle release. */
export const idleReleased = (p: ThreadProjection): boolean =>
  p.providerSessions.length > 0 && p.providerSessions.every((s) => s.status === 'stopped' && s.releaseReason === 'idle_timeout')

/** The provider process ends (`runtime_exit`) and the client still sends frames after it. */
export const restartsProvider = (transcript: Transcript): boolean => {
  const exit = transcript.entries.findIndex((e) => e.type === 'runtime_exit')
  return exit >= 0 && transcript.entries.slice(exit + 1).some((e) => e.type === 'expect_outbound')
}

/** Seconds of idleness before the replay worker releases a session, for recordings that restart the provider. */
export const REPLAY_IDLE_SECONDS = 1
