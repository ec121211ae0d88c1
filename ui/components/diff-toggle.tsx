/** @module A checkpoint's unified diff, fetched when asked for. */
import { useState } from 'preact/hooks'
import type { LoomClient } from '../../src/client/index.ts'

export const DiffToggle = ({ client, threadId, checkpointId }: { client: LoomClient; threadId: string; checkpointId: string }) => {
  const [diff, setDiff] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const toggle = async () => {
    if (diff !== null) return setDiff(null)
    const result = await client.getCheckpointDiff(threadId, checkpointId)
    setError(result.ok ? null : result.error.message)
    if (result.ok) setDiff(result.value.truncated ? `${result.value.diff}\n… (truncated)` : result.value.diff)
  }
  return (
    <>
      <button class="link" data-testid="diff-toggle" onClick={() => void toggle()}>
        {diff === null ? 'Show diff' : 'Hide diff'}
      </button>
      {error && <span class="error small">{error}</span>}
      {diff !== null && <pre class="diff">{diff}</pre>}
    </>
  )
}
