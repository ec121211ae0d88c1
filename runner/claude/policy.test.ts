/** @module The runtime policy -> Claude launch options table (docs/probes/claude.md, (e)). */
import { describe, expect, it } from 'vitest'
import { claudePolicy } from './policy.ts'

describe('claudePolicy', () => {
  it.each([
    ['approval-required', 'default', { permissionMode: 'default', allowDangerouslySkipPermissions: false, canUseTool: true, plan: false }],
    ['auto-accept-edits', 'default', { permissionMode: 'acceptEdits', allowDangerouslySkipPermissions: false, canUseTool: true, plan: false }],
    ['full-access', 'default', { permissionMode: 'bypassPermissions', allowDangerouslySkipPermissions: true, canUseTool: false, plan: false }],
    ['approval-required', 'plan', { permissionMode: 'plan', allowDangerouslySkipPermissions: false, canUseTool: true, plan: true }],
    ['auto-accept-edits', 'plan', { permissionMode: 'plan', allowDangerouslySkipPermissions: false, canUseTool: true, plan: true }],
    ['full-access', 'plan', { permissionMode: 'plan', allowDangerouslySkipPermissions: true, canUseTool: true, plan: true }],
  ] as const)('%s x %s', (runtime, interaction, expected) => {
    expect(claudePolicy(runtime, interaction)).toEqual(expected)
  })
})
