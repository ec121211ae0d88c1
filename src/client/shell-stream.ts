/** @module What a shell subscription asks for: the server sends a whole snapshot on every subscribe. */
import { ShellStreamItem } from '../contracts/wire/client.ts'
import type { StreamSpec } from './subscription.ts'

export const shellStreamSpec = (
  workspaceId: string,
  archived: boolean | undefined,
  probe?: StreamSpec<ShellStreamItem>['probe'],
): StreamSpec<ShellStreamItem> => {
  let awaitingSnapshot = false
  const request = () => ({ method: 'subscribeShell', params: archived === undefined ? { workspaceId } : { workspaceId, archived } })
  return {
    path: `/v1/ws?workspaceId=${encodeURIComponent(workspaceId)}`,
    request,
    snapshotRequest: request,
    parse: (item) => {
      const parsed = ShellStreamItem.safeParse(item)
      return parsed.success ? parsed.data : null
    },
    admit: (item) => {
      if (item.kind === 'snapshot') {
        awaitingSnapshot = false
        return 'deliver'
      }
      return awaitingSnapshot ? 'drop' : 'deliver'
    },
    expectSnapshot: () => {
      awaitingSnapshot = true
    },
    ...(probe ? { probe } : {}),
  }
}
