/**
 * @module Runtime mode × interaction mode → Codex `approvalPolicy`, `sandboxPolicy` and
 * `collaborationMode`, as verified against the pinned binary (docs/probes/codex.md, probe d).
 * `untrusted` is deprecated and never used. Plan mode only adds instructions; its read-only
 * guarantee comes from the sandbox. All three fields are sticky in Codex, so every
 * `turn/start` sends all three (a default-mode turn leaves plan mode explicitly).
 */
import type { InteractionMode, RuntimeMode } from '../../src/contracts/index.ts'
import type { CollaborationMode } from '../generated/codex/index.ts'
import type { AskForApproval, SandboxPolicy } from '../generated/codex/v2/index.ts'

/** The policy fields of one `turn/start`. */
export type CodexTurnPolicy = {
  approvalPolicy: AskForApproval
  sandboxPolicy: SandboxPolicy
  collaborationMode: CollaborationMode
}

const READ_ONLY: SandboxPolicy = { type: 'readOnly', networkAccess: false }
const WORKSPACE_WRITE: SandboxPolicy = { type: 'workspaceWrite', writableRoots: [], networkAccess: false, excludeTmpdirEnvVar: false, excludeSlashTmp: false }

/**
 * | runtime mode      | default                           | plan                               |
 * |-------------------|-----------------------------------|------------------------------------|
 * | approval-required | on-request + readOnly             | on-request + readOnly              |
 * | auto-accept-edits | on-request + workspaceWrite       | on-request + readOnly              |
 * | full-access       | never + dangerFullAccess          | never + readOnly (network allowed) |
 */
export function codexTurnPolicy(runtimeMode: RuntimeMode, interactionMode: InteractionMode, model: string): CodexTurnPolicy {
  const plan = interactionMode === 'plan'
  const collaborationMode: CollaborationMode = {
    mode: plan ? 'plan' : 'default',
    // null instructions select Codex's built-in ones for the mode.
    settings: { model, reasoning_effort: null, developer_instructions: null },
  }
  switch (runtimeMode) {
    case 'approval-required':
      return { approvalPolicy: 'on-request', sandboxPolicy: READ_ONLY, collaborationMode }
    case 'auto-accept-edits':
      return { approvalPolicy: 'on-request', sandboxPolicy: plan ? READ_ONLY : WORKSPACE_WRITE, collaborationMode }
    case 'full-access':
      return {
        approvalPolicy: 'never',
        sandboxPolicy: plan ? { type: 'readOnly', networkAccess: true } : { type: 'dangerFullAccess' },
        collaborationMode,
      }
    default: {
      const never: never = runtimeMode
      throw new Error(`unknown runtime mode ${String(never)}`)
    }
  }
}
