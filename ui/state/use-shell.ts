/** @module The live thread list of a workspace, from `subscribeShell`. */
import { useEffect, useState } from 'preact/hooks'
import type { LoomClient } from '../../src/client/index.ts'
import type { ThreadShell } from '../../src/contracts/index.ts'

export type ShellView = { threads: ThreadShell[]; loaded: boolean; error: string | null }

const ordered = (threads: Map<string, ThreadShell>) =>
  [...threads.values()].filter((t) => !t.deleted && !t.archived).sort((a, b) => b.updatedAt - a.updatedAt)

export const useShell = (client: LoomClient, workspaceId: string, onChange?: (before: ThreadShell | undefined, after: ThreadShell) => void): ShellView => {
  const [view, setView] = useState<ShellView>({ threads: [], loaded: false, error: null })
  useEffect(() => {
    const subscription = client.subscribeShell(workspaceId)
    const threads = new Map<string, ThreadShell>()
    void (async () => {
      try {
        for await (const item of subscription) {
          if (item.kind === 'snapshot') {
            threads.clear()
            for (const thread of item.threads) threads.set(thread.id, thread)
          } else {
            const before = threads.get(item.thread.id)
            if (before && before.sequence > item.thread.sequence) continue
            threads.set(item.thread.id, item.thread)
            onChange?.(before, item.thread)
          }
          setView({ threads: ordered(threads), loaded: true, error: null })
        }
      } catch (cause) {
        setView((v) => ({ ...v, error: cause instanceof Error ? cause.message : String(cause) }))
      }
    })()
    return () => subscription.close()
  }, [client, workspaceId])
  return view
}
