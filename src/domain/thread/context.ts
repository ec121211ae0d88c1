/** @module What a decision may know besides state: time, who asks, the runner's presence, capabilities. */
import type { ProviderCapabilities, ProviderKind } from '../../contracts/index.ts'

export type DecideContext = {
  /** Epoch milliseconds, injected at the edge. */
  now: number
  /** The subject of the token that caused this (or `system` / `runner:<id>`). */
  actor: string
  /** The epoch of the runner process whose link to this thread is up, if any. */
  runnerEpoch: number | null
  /** How long a runtime request may wait for an answer; null means forever. */
  requestExpiryMs: number | null
  /** The declared capability matrix of a provider (CAPABILITIES in production). */
  capabilities: (provider: ProviderKind) => ProviderCapabilities
}
