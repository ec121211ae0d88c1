/**
 * @module A Loom message as an SDK user message: text, images from the attachments as
 * base64 image blocks, an optional hand-off text before it, a client uuid (echoed back in
 * `user_message_uuids` so results can be told apart) and an optional priority.
 */
import type { SDKUserMessage } from '@anthropic-ai/claude-agent-sdk'
import type { ImageAttachment } from '../../src/contracts/index.ts'

export type LoomMessage = { text: string; attachments: ImageAttachment[] }

type Block = { type: 'text'; text: string } | { type: 'image'; source: { type: 'base64'; media_type: ImageAttachment['mimeType']; data: string } }

/** Builds the message; a plain text message keeps string content (as the CLI's own prompts do). */
export function sdkUserMessage(
  message: LoomMessage,
  opts: { uuid: string; priority?: 'now' | 'next' | 'later'; handoffText?: string | null },
): SDKUserMessage {
  const blocks: Block[] = []
  if (opts.handoffText) blocks.push({ type: 'text', text: opts.handoffText })
  for (const image of message.attachments) {
    blocks.push({ type: 'image', source: { type: 'base64', media_type: image.mimeType, data: image.data } })
  }
  const content = blocks.length === 0 ? message.text : [...blocks, { type: 'text' as const, text: message.text }]
  const out: SDKUserMessage = {
    type: 'user',
    message: { role: 'user', content },
    parent_tool_use_id: null,
    uuid: opts.uuid as SDKUserMessage['uuid'],
  }
  if (opts.priority) out.priority = opts.priority
  return out
}
