/**
 * @module The provider capability matrix. Domain policy decides from these flags
 * (e.g. steer natively or by interrupt-and-restart); a missing capability is a typed
 * rejection, never a silent no-op.
 */
import { z } from 'zod'
import type { ProviderKind } from './modes.ts'

const flag = z.boolean()
const Strength = z.enum(['strong', 'weak', 'none'])

export const ProviderCapabilities = z.strictObject({
  sessions: z.strictObject({
    supportsMultipleProviderThreadsPerSession: flag,
    supportsModelSwitchInSession: flag,
    supportsProviderSwitchingViaHandoff: flag,
    supportsRuntimeModeSwitchInSession: flag,
    pendingRequestsSurviveRestart: flag,
  }),
  threads: z.strictObject({
    canCreateEmptyThread: flag,
    canReadThreadSnapshot: flag,
    canRollbackThread: flag,
    canForkThread: flag,
    canForkFromTurn: flag,
    canForkFromSubagentThread: flag,
    exposesNativeThreadId: flag,
  }),
  turns: z.strictObject({
    exposesNativeTurnId: flag,
    emitsTurnStarted: flag,
    emitsTurnCompleted: flag,
    supportsInterrupt: flag,
    supportsActiveSteering: flag,
    supportsSteeringByInterruptRestart: flag,
    supportsQueuedMessages: flag,
    terminalStatusQuality: Strength,
  }),
  streaming: z.strictObject({
    streamsAssistantText: flag,
    streamsReasoning: flag,
    streamsToolOutput: flag,
    streamsPlanText: flag,
    emitsMessageCompleted: flag,
  }),
  tools: z.strictObject({
    exposesToolItemIds: flag,
    emitsToolStarted: flag,
    emitsToolCompleted: flag,
    emitsToolOutput: flag,
    supportsMcpTools: flag,
    supportsDynamicToolCallbacks: flag,
  }),
  approvals: z.strictObject({
    supportsCommandApproval: flag,
    supportsFileReadApproval: flag,
    supportsFileChangeApproval: flag,
    supportsApplyPatchApproval: flag,
    approvalsHaveNativeRequestIds: flag,
    approvalCallbacksAreLiveOnly: flag,
    approvalsCanOriginateFromSubagents: flag,
  }),
  planning: z.strictObject({
    emitsPlanUpdated: flag,
    emitsTodoList: flag,
    emitsProposedPlan: flag,
    supportsStructuredQuestions: flag,
    planDeltasHaveItemIds: flag,
  }),
  subagents: z.strictObject({
    supportsSubagents: flag,
    exposesSubagentThreadIds: flag,
    emitsSubagentLifecycle: flag,
    canWaitForSubagents: flag,
    canCloseSubagents: flag,
    canForkSubagentThread: flag,
  }),
  context: z.strictObject({
    acceptsSystemContext: flag,
    acceptsDeveloperContext: flag,
    acceptsSyntheticUserContext: flag,
    canGenerateSummaries: flag,
    canConsumeHandoffSummaries: flag,
    supportsDeltaHandoff: flag,
    supportsFullThreadHandoff: flag,
    maxRecommendedHandoffChars: z.number().int().positive().nullable(),
  }),
  checkpointing: z.strictObject({
    appCanCheckpointFilesystem: flag,
    supportsNestedCheckpointScopes: flag,
    providerCanRollbackConversation: flag,
    providerRollbackReturnsSnapshot: flag,
    providerCanReadConversationSnapshot: flag,
  }),
  identity: z.strictObject({
    nativeThreadIds: Strength,
    nativeTurnIds: Strength,
    nativeItemIds: Strength,
    nativeRequestIds: Strength,
  }),
})
export type ProviderCapabilities = z.infer<typeof ProviderCapabilities>

/** Codex app-server 0.169.0: the richest protocol; approvals live only in the process. */
export const CODEX_CAPABILITIES: ProviderCapabilities = {
  sessions: {
    supportsMultipleProviderThreadsPerSession: true,
    supportsModelSwitchInSession: true,
    supportsProviderSwitchingViaHandoff: true,
    supportsRuntimeModeSwitchInSession: true,
    pendingRequestsSurviveRestart: false,
  },
  threads: {
    canCreateEmptyThread: true,
    canReadThreadSnapshot: true,
    canRollbackThread: true,
    canForkThread: true,
    canForkFromTurn: true,
    canForkFromSubagentThread: true,
    exposesNativeThreadId: true,
  },
  turns: {
    exposesNativeTurnId: true,
    emitsTurnStarted: true,
    emitsTurnCompleted: true,
    supportsInterrupt: true,
    supportsActiveSteering: true,
    supportsSteeringByInterruptRestart: true,
    supportsQueuedMessages: true,
    terminalStatusQuality: 'strong',
  },
  streaming: {
    streamsAssistantText: true,
    streamsReasoning: true,
    streamsToolOutput: true,
    streamsPlanText: true,
    emitsMessageCompleted: true,
  },
  tools: {
    exposesToolItemIds: true,
    emitsToolStarted: true,
    emitsToolCompleted: true,
    emitsToolOutput: true,
    supportsMcpTools: true,
    // Loom registers no dynamic tools; such calls are answered with a failure.
    supportsDynamicToolCallbacks: false,
  },
  approvals: {
    supportsCommandApproval: true,
    // 0.169 asks for no read approvals.
    supportsFileReadApproval: false,
    supportsFileChangeApproval: true,
    supportsApplyPatchApproval: true,
    approvalsHaveNativeRequestIds: true,
    approvalCallbacksAreLiveOnly: true,
    approvalsCanOriginateFromSubagents: true,
  },
  planning: {
    emitsPlanUpdated: true,
    emitsTodoList: true,
    emitsProposedPlan: true,
    supportsStructuredQuestions: true,
    planDeltasHaveItemIds: true,
  },
  subagents: {
    supportsSubagents: true,
    exposesSubagentThreadIds: true,
    emitsSubagentLifecycle: true,
    canWaitForSubagents: true,
    canCloseSubagents: true,
    canForkSubagentThread: true,
  },
  context: {
    acceptsSystemContext: true,
    acceptsDeveloperContext: true,
    acceptsSyntheticUserContext: true,
    canGenerateSummaries: true,
    canConsumeHandoffSummaries: true,
    supportsDeltaHandoff: true,
    supportsFullThreadHandoff: true,
    maxRecommendedHandoffChars: null,
  },
  checkpointing: {
    appCanCheckpointFilesystem: true,
    supportsNestedCheckpointScopes: true,
    providerCanRollbackConversation: true,
    // thread/revert answers with an empty turn list.
    providerRollbackReturnsSnapshot: false,
    providerCanReadConversationSnapshot: true,
  },
  identity: { nativeThreadIds: 'strong', nativeTurnIds: 'strong', nativeItemIds: 'strong', nativeRequestIds: 'strong' },
}

/** Claude Agent SDK 0.3.330: no native turn ids, approvals are live `canUseTool` callbacks. */
export const CLAUDE_CAPABILITIES: ProviderCapabilities = {
  sessions: {
    supportsMultipleProviderThreadsPerSession: false,
    supportsModelSwitchInSession: true,
    supportsProviderSwitchingViaHandoff: true,
    supportsRuntimeModeSwitchInSession: true,
    pendingRequestsSurviveRestart: false,
  },
  threads: {
    // No transcript exists until the first prompt.
    canCreateEmptyThread: false,
    canReadThreadSnapshot: false,
    canRollbackThread: true,
    canForkThread: true,
    canForkFromTurn: true,
    canForkFromSubagentThread: false,
    exposesNativeThreadId: true,
  },
  turns: {
    exposesNativeTurnId: false,
    emitsTurnStarted: true,
    emitsTurnCompleted: true,
    supportsInterrupt: true,
    supportsActiveSteering: true,
    // Interrupt, then a new turn in the same session (probed: docs/probes/claude.md (f)).
    supportsSteeringByInterruptRestart: true,
    supportsQueuedMessages: true,
    terminalStatusQuality: 'strong',
  },
  streaming: {
    streamsAssistantText: true,
    streamsReasoning: false,
    streamsToolOutput: false,
    streamsPlanText: false,
    emitsMessageCompleted: true,
  },
  tools: {
    exposesToolItemIds: true,
    emitsToolStarted: true,
    emitsToolCompleted: true,
    emitsToolOutput: true,
    supportsMcpTools: true,
    supportsDynamicToolCallbacks: true,
  },
  approvals: {
    supportsCommandApproval: true,
    supportsFileReadApproval: true,
    supportsFileChangeApproval: true,
    supportsApplyPatchApproval: false,
    approvalsHaveNativeRequestIds: true,
    approvalCallbacksAreLiveOnly: true,
    approvalsCanOriginateFromSubagents: false,
  },
  planning: {
    emitsPlanUpdated: false,
    emitsTodoList: false,
    // ExitPlanMode carries the plan (checked against the pinned CLI).
    emitsProposedPlan: true,
    supportsStructuredQuestions: false,
    planDeltasHaveItemIds: false,
  },
  subagents: {
    supportsSubagents: true,
    exposesSubagentThreadIds: false,
    emitsSubagentLifecycle: true,
    canWaitForSubagents: false,
    canCloseSubagents: false,
    canForkSubagentThread: false,
  },
  context: {
    acceptsSystemContext: true,
    acceptsDeveloperContext: true,
    acceptsSyntheticUserContext: true,
    canGenerateSummaries: true,
    canConsumeHandoffSummaries: true,
    supportsDeltaHandoff: true,
    supportsFullThreadHandoff: true,
    maxRecommendedHandoffChars: 48_000,
  },
  checkpointing: {
    appCanCheckpointFilesystem: true,
    supportsNestedCheckpointScopes: true,
    providerCanRollbackConversation: true,
    providerRollbackReturnsSnapshot: false,
    providerCanReadConversationSnapshot: false,
  },
  identity: { nativeThreadIds: 'strong', nativeTurnIds: 'weak', nativeItemIds: 'strong', nativeRequestIds: 'strong' },
}

export const CAPABILITIES: Record<ProviderKind, ProviderCapabilities> = {
  codex: CODEX_CAPABILITIES,
  claude: CLAUDE_CAPABILITIES,
}
