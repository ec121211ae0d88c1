/** @module Which Codex notifications stream text, and which carry nothing for a turn's timeline. */

/** State sync of threads, accounts and the process: nothing for a turn's timeline. */
export const IGNORED = new Set([
  'thread/started',
  'thread/status/changed',
  'thread/readState/changed',
  'thread/name/updated',
  'thread/settings/updated',
  'thread/goal/updated',
  'thread/goal/cleared',
  'thread/archived',
  'thread/unarchived',
  'thread/deleted',
  'thread/closed',
  'thread/reverted',
  'thread/compacted',
  'thread/section/changed',
  'thread/attachment/updated',
  'thread/prediction/updated',
  'thread/queue/changed',
  'thread/project/updated',
  'thread/environment/connected',
  'thread/environment/disconnected',
  'project/changed',
  'skills/changed',
  'account/updated',
  'account/rateLimits/updated',
  'account/gatewayOAuth/changed',
  'account/login/completed',
  'app/list/updated',
  'mcpServer/startupStatus/updated',
  'mcpServer/oauthLogin/completed',
  'remoteControl/status/changed',
  'configWarning',
  'deprecationNotice',
  'fs/changed',
  'turn/diff/updated',
  'turn/moderationMetadata',
  'model/safetyBuffering/updated',
  'item/fileChange/outputDelta',
  'item/commandExecution/terminalInteraction',
  'item/mcpToolCall/progress',
  'item/reasoning/summaryPartAdded',
  'rawResponseItem/completed',
  'rawResponse/completed',
])

/** The kind of item each streaming notification adds text to. */
export type DeltaKind = 'assistant_message' | 'proposed_plan' | 'reasoning' | 'command_execution'

/** Streaming notifications (`{threadId, turnId, itemId, delta}`) and the item kind they feed. */
export const DELTAS: Record<string, DeltaKind> = {
  'item/agentMessage/delta': 'assistant_message',
  'item/plan/delta': 'proposed_plan',
  'item/reasoning/summaryTextDelta': 'reasoning',
  'item/reasoning/textDelta': 'reasoning',
  'item/commandExecution/outputDelta': 'command_execution',
}
