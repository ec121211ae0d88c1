/**
 * @module Vitest global setup for the replay suite: bundles the worker once for all files (each
 * would otherwise build its own; none when no source changed since the last bundle,
 * scripts/replay/worker.ts) and tells them so through LOOM_REPLAY_BUNDLED.
 */
import { bundleReplayWorker } from '../../../scripts/replay/worker.ts'

export default function setup(): void {
  delete process.env.LOOM_REPLAY_BUNDLED
  bundleReplayWorker()
  process.env.LOOM_REPLAY_BUNDLED = '1'
}
