/** @module The client's connection state, for an "offline" badge: derived from its live subscriptions. */

export type SubscriptionState = 'connecting' | 'open' | 'reconnecting' | 'closed'
export type ConnectionState = 'online' | 'offline' | 'idle'

export type ConnectionObservable = {
  readonly state: ConnectionState
  /** Calls `listener` on every change; returns the function that stops it. */
  subscribe(listener: (state: ConnectionState) => void): () => void
}

/**
 * Offline while any subscription is reconnecting; online once one is open; idle otherwise (none
 * at all, or none opened yet: a first socket still connecting is not yet "live").
 */
export const connectionStateOf = (states: Iterable<SubscriptionState>): ConnectionState => {
  let open = false
  for (const state of states) {
    if (state === 'reconnecting') return 'offline'
    if (state === 'open') open = true
  }
  return open ? 'online' : 'idle'
}

export class ConnectionTracker implements ConnectionObservable {
  private readonly states = new Map<object, SubscriptionState>()
  private readonly listeners = new Set<(state: ConnectionState) => void>()
  private current: ConnectionState = 'idle'

  get state(): ConnectionState {
    return this.current
  }

  subscribe(listener: (state: ConnectionState) => void): () => void {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  /** Records a subscription's state (`closed` forgets it) and tells listeners if the whole changed. */
  set(subscription: object, state: SubscriptionState): void {
    if (state === 'closed') this.states.delete(subscription)
    else this.states.set(subscription, state)
    const next = connectionStateOf(this.states.values())
    if (next === this.current) return
    this.current = next
    for (const listener of [...this.listeners]) listener(next)
  }
}
