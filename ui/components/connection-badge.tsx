/** @module "Offline" while the client is reconnecting; nothing to see while all is well. */
import type { LoomClient } from '../../src/client/index.ts'
import { useConnection } from '../state/use-connection.ts'

export const ConnectionBadge = ({ client }: { client: LoomClient }) => {
  const state = useConnection(client)
  return (
    <span class={`badge connection-${state}`} data-testid="connection" data-state={state}>
      {state === 'offline' ? 'offline, reconnecting…' : state === 'online' ? 'live' : ''}
    </span>
  )
}
