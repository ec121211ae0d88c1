/** @module Starting a thread: title, provider and model, runtime mode. */
import { useState } from 'preact/hooks'
import type { LoomClient } from '../../src/client/index.ts'
import type { ModelSelection, RuntimeMode } from '../../src/contracts/index.ts'
import { useProviders } from '../state/use-providers.ts'
import { ModelPicker } from './model-picker.tsx'
import { RuntimeModeSelect } from './runtime-mode-select.tsx'

export const NewThread = ({ client, workspaceId, onDone }: { client: LoomClient; workspaceId: string; onDone: (threadId: string | null) => void }) => {
  const choices = useProviders(client, workspaceId)
  const [title, setTitle] = useState('')
  const [model, setModel] = useState<ModelSelection>({ provider: 'codex', model: 'gpt-5' })
  const [runtimeMode, setRuntimeMode] = useState<RuntimeMode>('approval-required')
  const [error, setError] = useState<string | null>(null)
  // Each submit makes a new thread id: a second click while the first is in flight would create a second thread.
  const [creating, setCreating] = useState(false)
  const submit = async (event: Event) => {
    event.preventDefault()
    if (creating) return
    setCreating(true)
    const result = await client.createThread({ workspaceId, title: title.trim() || 'New thread', modelSelection: model, runtimeMode })
    if (result.ok) return onDone(result.value.threadId)
    setCreating(false)
    setError(`${result.error.code}: ${result.error.message}`)
  }
  return (
    <form class="new-thread" onSubmit={(e) => void submit(e)}>
      <h2>New thread</h2>
      <label>
        Title <input data-testid="new-thread-title" value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} placeholder="New thread" />
      </label>
      <label>
        Agent <ModelPicker value={model} choices={choices} onChange={setModel} />
      </label>
      <label>
        Runtime mode <RuntimeModeSelect value={runtimeMode} onChange={setRuntimeMode} />
      </label>
      {error && <p class="error">{error}</p>}
      <div class="actions">
        <button class="primary" type="submit" data-testid="create-thread" disabled={creating}>
          Create
        </button>
        <button type="button" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  )
}
