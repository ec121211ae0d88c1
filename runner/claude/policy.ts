/**
 * @module The runtime policy of a thread as Claude Agent SDK launch options: the verified
 * mapping of docs/probes/claude.md (e). `allowDangerouslySkipPermissions` is a launch-time
 * flag, so a change of policy reopens the query (resuming the same session).
 */
import type { PermissionMode } from '@anthropic-ai/claude-agent-sdk'
import type { InteractionMode, RuntimeMode } from '../../src/contracts/index.ts'

export type ClaudePolicy = {
  permissionMode: PermissionMode
  /** Launch flag for bypassPermissions (and for leaving plan mode into it later). */
  allowDangerouslySkipPermissions: boolean
  /** Whether canUseTool is installed; bypassPermissions never calls it (the SDK warns it is shadowed). */
  canUseTool: boolean
  /** Plan mode: canUseTool refuses file changes and turns ExitPlanMode into a proposed plan. */
  plan: boolean
}

const byRuntime: Record<RuntimeMode, PermissionMode> = {
  'approval-required': 'default',
  'auto-accept-edits': 'acceptEdits',
  'full-access': 'bypassPermissions',
}

/**
 * | runtime \ interaction | default                                   | plan                          |
 * |-----------------------|-------------------------------------------|-------------------------------|
 * | approval-required     | `default` + canUseTool                    | `plan` + canUseTool           |
 * | auto-accept-edits     | `acceptEdits` + canUseTool                | `plan` + canUseTool           |
 * | full-access           | `bypassPermissions` + skip flag, no canUseTool | `plan` + skip flag + canUseTool |
 */
export function claudePolicy(runtimeMode: RuntimeMode, interactionMode: InteractionMode): ClaudePolicy {
  const fullAccess = runtimeMode === 'full-access'
  if (interactionMode === 'plan') {
    return { permissionMode: 'plan', allowDangerouslySkipPermissions: fullAccess, canUseTool: true, plan: true }
  }
  return { permissionMode: byRuntime[runtimeMode], allowDangerouslySkipPermissions: fullAccess, canUseTool: !fullAccess, plan: false }
}

/** Tools that change files; plan mode refuses them in canUseTool (the CLI would ask, then write). */
export const FILE_CHANGE_TOOLS: ReadonlySet<string> = new Set(['Edit', 'Write', 'MultiEdit', 'NotebookEdit'])
