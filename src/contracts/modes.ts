/** @module Providers, model selection and the modes a thread runs in. */
import { z } from 'zod'

export const ProviderKind = z.enum(['codex', 'claude'])
export type ProviderKind = z.infer<typeof ProviderKind>

export const ModelSelection = z.strictObject({
  provider: ProviderKind,
  model: z.string().min(1).max(200),
  options: z.record(z.string().max(100), z.union([z.string().max(200), z.number(), z.boolean()])).optional(),
})
export type ModelSelection = z.infer<typeof ModelSelection>

/** What the agent may do without asking (README, "Runtime policy"). */
export const RuntimeMode = z.enum(['approval-required', 'auto-accept-edits', 'full-access'])
export type RuntimeMode = z.infer<typeof RuntimeMode>

export const InteractionMode = z.enum(['default', 'plan'])
export type InteractionMode = z.infer<typeof InteractionMode>

export const Actor = z.string().min(1).max(256)
export type Actor = z.infer<typeof Actor>

/** Limits that bad input meets before it reaches the domain (documented in the README). */
export const LIMITS = {
  messageChars: 100_000,
  titleChars: 500,
  attachments: 8,
  attachmentBytes: 600_000,
  requestBodyBytes: 1024 * 1024,
  eventsPageSize: 1000,
  failureMessageChars: 4096,
  failureCodeChars: 128,
} as const
