/** @module Small shapes shared by several entities. */
import { z } from 'zod'
import { ProviderKind } from '../modes.ts'

/** Epoch milliseconds. Time enters the domain through command metadata, never a clock. */
export const Millis = z.number().int().nonnegative()

/** A provider's own id for something, and how far it can be trusted to correlate. */
export const ProviderRef = z.strictObject({
  provider: ProviderKind,
  nativeId: z.string().max(512).nullable(),
  strength: z.enum(['strong', 'weak', 'none']),
})
export type ProviderRef = z.infer<typeof ProviderRef>

export const TokenUsage = z.strictObject({
  inputTokens: z.number().int().nonnegative(),
  cachedInputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  reasoningTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
})
export type TokenUsage = z.infer<typeof TokenUsage>

export const ImageAttachment = z.strictObject({
  type: z.literal('image'),
  mimeType: z.enum(['image/png', 'image/jpeg', 'image/gif', 'image/webp']),
  /** Base64 data, bounded by LIMITS.attachmentBytes. */
  data: z.string().max(800_000),
  name: z.string().max(255).optional(),
})
export type ImageAttachment = z.infer<typeof ImageAttachment>
