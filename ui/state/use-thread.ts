/** @module One thread's live projection: a snapshot, then every event and streaming delta. */
import { useEffect, useState } from 'preact/hooks'
import { applyThreadItem, type LoomClient } from '../../src/client/index.ts'
import type { ThreadProjection } from '../../src/contracts/index.ts'

export type ThreadView = { projection: ThreadProjection | null; error: string | null }

export const useThread = (client: LoomClient, threadId: string): ThreadView => {
  const [view, setView] = useState<ThreadView>({ projection: null, error: null })
  useEffect(() => {
    setView({ projection: null, error: null })
    const subscription = client.subscribeThread(threadId)
    let projection: ThreadProjection | null = null
    void (async () => {
      try {
        for await (const item of subscription) {
          projection = applyThreadItem(projection, item)
          setView({ projection, error: null })
        }
      } catch (cause) {
        setView({ projection, error: cause instanceof Error ? cause.message : String(cause) })
      }
    })()
    return () => subscription.close()
  }, [client, threadId])
  return view
}
