/** @module Which providers the workspace's runner offers, and their models (for the picker). */
import { useEffect, useState } from 'preact/hooks'
import type { LoomClient } from '../../src/client/index.ts'

export type ProviderChoice = { provider: 'codex' | 'claude'; state: string; models: string[] }

const FALLBACK: ProviderChoice[] = [
  { provider: 'codex', state: 'unknown', models: [] },
  { provider: 'claude', state: 'unknown', models: [] },
]

export const useProviders = (client: LoomClient, workspaceId: string): ProviderChoice[] => {
  const [choices, setChoices] = useState<ProviderChoice[]>(FALLBACK)
  useEffect(() => {
    let live = true
    void client.getProviders(workspaceId).then((result) => {
      if (!live || !result.ok) return
      const report = result.value as { providers?: Array<{ provider: 'codex' | 'claude'; state: string; models?: string[] }> }
      if (report.providers?.length) setChoices(report.providers.map((p) => ({ provider: p.provider, state: p.state, models: p.models ?? [] })))
    })
    return () => {
      live = false
    }
  }, [client, workspaceId])
  return choices
}
