/** @module The verified runtime mode × interaction mode → Codex policy table (docs/probes/codex.md). */
import { describe, expect, it } from 'vitest'
import { codexTurnPolicy } from './policy.ts'

describe('codexTurnPolicy', () => {
  it.each([
    ['approval-required', 'default', 'on-request', { type: 'readOnly', networkAccess: false }],
    ['approval-required', 'plan', 'on-request', { type: 'readOnly', networkAccess: false }],
    ['auto-accept-edits', 'default', 'on-request', { type: 'workspaceWrite', writableRoots: [], networkAccess: false, excludeTmpdirEnvVar: false, excludeSlashTmp: false }],
    ['auto-accept-edits', 'plan', 'on-request', { type: 'readOnly', networkAccess: false }],
    ['full-access', 'default', 'never', { type: 'dangerFullAccess' }],
    ['full-access', 'plan', 'never', { type: 'readOnly', networkAccess: true }],
  ] as const)('%s × %s → %s + %o', (runtime, interaction, approvalPolicy, sandboxPolicy) => {
    const policy = codexTurnPolicy(runtime, interaction, 'gpt-x')
    expect(policy.approvalPolicy).toBe(approvalPolicy)
    expect(policy.sandboxPolicy).toEqual(sandboxPolicy)
    expect(policy.collaborationMode).toEqual({ mode: interaction, settings: { model: 'gpt-x', reasoning_effort: null, developer_instructions: null } })
  })

  it('should never use the deprecated untrusted policy', () => {
    for (const runtime of ['approval-required', 'auto-accept-edits', 'full-access'] as const) {
      for (const interaction of ['default', 'plan'] as const) expect(codexTurnPolicy(runtime, interaction, 'm').approvalPolicy).not.toBe('untrusted')
    }
  })
})
