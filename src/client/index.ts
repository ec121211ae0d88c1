/** @module Loom's typed client: HTTP calls as `Result`s, subscriptions as async iterators, a projection reducer. */
export { createLoomClient, type LoomClient, type LoomClientOptions, type DispatchInput, type Dispatched, type Diff, type SubscribeOptions, type ThreadSubscription } from './client.ts'
export type { CommandShortcuts } from './shortcuts.ts'
export { applyThreadItem, itemText } from './apply-thread-item.ts'
export { SubscriptionError, type ClientError, type Result } from './result.ts'
export type { Subscription } from './subscription.ts'
export type { ConnectionObservable, ConnectionState, SubscriptionState } from './connection.ts'
export type { WebSocketConstructor, WebSocketLike } from './socket.ts'
export type { BackoffOptions } from './backoff.ts'
