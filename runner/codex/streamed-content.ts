/** @module The content of an item from the text its deltas streamed, for items Codex never completed. */
import type { RuntimeItemContent } from '../../src/contracts/index.ts'
import { BOUND, clip, clipTail } from './bounds.ts'
import type { DeltaKind } from './notification-kinds.ts'

/** The content of an open item once its streamed text is all there is (it never completed). */
export const withStreamed = (content: RuntimeItemContent, streamed: string): RuntimeItemContent => {
  if (streamed.length === 0) return content
  switch (content.type) {
    case 'assistant_message':
      return content.text.length > 0 ? content : { ...content, text: clip(streamed, BOUND.text) }
    case 'reasoning':
      return content.text.length > 0 ? content : { ...content, text: clip(streamed, BOUND.text) }
    case 'proposed_plan':
      return content.markdown.length > 0 ? content : { ...content, markdown: clip(streamed, BOUND.text) }
    case 'command_execution':
      return content.output ? content : { ...content, output: clipTail(streamed, BOUND.text) }
    default:
      return content
  }
}

export const emptyContent = (kind: DeltaKind): RuntimeItemContent | null => {
  switch (kind) {
    case 'assistant_message':
      return { type: 'assistant_message', text: '' }
    case 'proposed_plan':
      return { type: 'proposed_plan', markdown: '' }
    case 'reasoning':
      return { type: 'reasoning', text: '' }
    default:
      return null
  }
}
