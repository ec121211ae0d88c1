/** @module Runtime requests: approvals and questions a provider asks while a turn runs. */
import { z } from 'zod'
import { NodeId, ProviderTurnId, RunId, RuntimeRequestId, ThreadId } from '../ids.ts'
import { Actor } from '../modes.ts'
import { Millis } from './common.ts'

export const RequestKind = z.enum(['command', 'file-read', 'file-change', 'permissions', 'user_input', 'dynamic_tool_call'])
export type RequestKind = z.infer<typeof RequestKind>

export const Decision = z.enum(['accept', 'acceptForSession', 'decline', 'cancel'])
export type Decision = z.infer<typeof Decision>

export const Question = z.strictObject({
  id: z.string().max(200),
  header: z.string().max(500).nullable(),
  question: z.string().max(4000),
  options: z.array(z.strictObject({ label: z.string().max(500), description: z.string().max(2000).nullable() })).max(50),
  allowsFreeText: z.boolean(),
})
export type Question = z.infer<typeof Question>

/** Answers keyed by question id; each answer is one or more strings. */
export const Answers = z.record(z.string().max(200), z.array(z.string().max(10_000)).max(50))
export type Answers = z.infer<typeof Answers>

/**
 * Whether the request can still be answered: `live` while the runner process that raised it
 * is alive (an answer while its link is down waits for it); otherwise `not_resumable` with the
 * reason, so the UI can say it expired.
 */
export const ResponseCapability = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('live'), runnerEpoch: z.number().int() }),
  z.strictObject({ type: z.literal('not_resumable'), reason: z.enum(['runner_lost', 'turn_ended', 'expired', 'run_interrupted']) }),
])
export type ResponseCapability = z.infer<typeof ResponseCapability>

export const RuntimeRequest = z.strictObject({
  id: RuntimeRequestId,
  threadId: ThreadId,
  runId: RunId,
  nodeId: NodeId,
  providerTurnId: ProviderTurnId.nullable(),
  nativeRequestRef: z.string().max(512),
  kind: RequestKind,
  status: z.enum(['pending', 'resolved', 'expired', 'cancelled']),
  responseCapability: ResponseCapability,
  prompt: z.string().max(10_000).nullable(),
  /** Provider detail worth showing (command, paths, diff); bounded, data only. */
  detail: z.record(z.string(), z.unknown()).nullable(),
  questions: z.array(Question).nullable(),
  availableDecisions: z.array(Decision),
  response: z
    .strictObject({ decision: Decision.nullable(), answers: Answers.nullable(), by: Actor, at: Millis })
    .nullable(),
  expiresAt: Millis.nullable(),
  createdAt: Millis,
  resolvedAt: Millis.nullable(),
})
export type RuntimeRequest = z.infer<typeof RuntimeRequest>
