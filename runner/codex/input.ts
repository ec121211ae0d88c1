/** @module A Loom message (text, image attachments, handoff context) as Codex `UserInput` items. */
import type { ImageAttachment } from '../../src/contracts/index.ts'
import type { UserInput } from '../generated/codex/v2/index.ts'

/** The message part of a turn start or steer. */
export type MessageInput = { text: string; attachments: ImageAttachment[] }

/**
 * Text first (after the handoff context from another provider, when there is one), then each
 * image as a `data:` URL, which Codex sends to the model as an `input_image`.
 */
export function toUserInput(message: MessageInput, handoffText: string | null = null): UserInput[] {
  const input: UserInput[] = []
  if (handoffText) input.push({ type: 'text', text: handoffText, text_elements: [] })
  input.push({ type: 'text', text: message.text, text_elements: [] })
  for (const image of message.attachments) input.push({ type: 'image', url: `data:${image.mimeType};base64,${image.data}` })
  return input
}
