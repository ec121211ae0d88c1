/** @module Online / offline, as the client's subscriptions see it. */
import { useEffect, useState } from 'preact/hooks'
import type { ConnectionState, LoomClient } from '../../src/client/index.ts'

export const useConnection = (client: LoomClient): ConnectionState => {
  const [state, setState] = useState<ConnectionState>(client.connection.state)
  useEffect(() => client.connection.subscribe(setState), [client])
  return state
}
