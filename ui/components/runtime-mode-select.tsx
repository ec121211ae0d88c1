/** @module How much the agent may do without asking. */
import type { RuntimeMode } from '../../src/contracts/index.ts'

const MODES: Array<[RuntimeMode, string]> = [
  ['approval-required', 'Ask before acting'],
  ['auto-accept-edits', 'Auto-accept edits'],
  ['full-access', 'Full access'],
]

export const RuntimeModeSelect = ({ value, onChange }: { value: RuntimeMode; onChange: (mode: RuntimeMode) => void }) => (
  <select data-testid="runtime-mode" value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value as RuntimeMode)}>
    {MODES.map(([mode, label]) => (
      <option key={mode} value={mode}>
        {label}
      </option>
    ))}
  </select>
)
