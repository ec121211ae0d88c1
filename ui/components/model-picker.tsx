/** @module Provider and model: a list of the runner's models, or any name typed in. */
import { useEffect, useState } from 'preact/hooks'
import type { ModelSelection } from '../../src/contracts/index.ts'
import type { ProviderChoice } from '../state/use-providers.ts'

/** When the runner lists no models: a name the provider knows, never the other provider's model. */
const DEFAULT_MODEL: Record<ModelSelection['provider'], string> = { codex: 'gpt-5', claude: 'claude-sonnet-4-5' }

export const ModelPicker = ({ value, choices, onChange }: { value: ModelSelection; choices: ProviderChoice[]; onChange: (next: ModelSelection) => void }) => {
  const models = choices.find((c) => c.provider === value.provider)?.models ?? []
  const listId = `models-${value.provider}`
  // The typed name is the input's own until it is committed (change: blur or Enter), so a
  // re-render meanwhile never puts the old name back under the user's cursor.
  const [draft, setDraft] = useState(value.model)
  useEffect(() => setDraft(value.model), [value.model])
  return (
    <span class="model-picker">
      <select
        data-testid="provider"
        value={value.provider}
        onChange={(e) => {
          const provider = (e.target as HTMLSelectElement).value as ModelSelection['provider']
          onChange({ provider, model: choices.find((c) => c.provider === provider)?.models[0] ?? DEFAULT_MODEL[provider] })
        }}
      >
        {choices.map((c) => (
          <option key={c.provider} value={c.provider}>
            {c.provider}
            {c.state !== 'ready' && c.state !== 'unknown' ? ` (${c.state})` : ''}
          </option>
        ))}
      </select>
      <input
        data-testid="model"
        list={listId}
        value={draft}
        size={14}
        onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
        onChange={(e) => {
          const model = (e.target as HTMLInputElement).value.trim()
          if (model && model !== value.model) onChange({ provider: value.provider, model })
        }}
      />
      <datalist id={listId}>
        {models.map((m) => (
          <option key={m} value={m} />
        ))}
      </datalist>
    </span>
  )
}
