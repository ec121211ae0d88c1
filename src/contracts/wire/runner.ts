/**
 * @module The runner protocol: a control socket to the workspace and one link per thread.
 * Batches carry `(epoch, seq)` so the thread can drop duplicates and refuse gaps.
 */
import { z } from 'zod'
import { LoomError } from '../errors.ts'
import { RuntimeEvent } from '../runtime-events.ts'
import { Effect } from '../effects.ts'
import { ProviderCapabilities } from '../capabilities.ts'
import { ProviderKind } from '../modes.ts'
import { ThreadId, WorkspaceId } from '../ids.ts'
import { Millis } from '../entities/common.ts'

/** Bumped on any incompatible change to these frames. */
export const RUNNER_PROTOCOL_VERSION = 1
export const RUNNER_SUBPROTOCOL = 'loom.runner.v1'
export const MAX_BATCH_EVENTS = 500
/** A diff travels and is stored in parts of at most this many characters (4 bytes each at most: under the 2 MB row limit). */
export const MAX_DIFF_PART_CHARS = 256 * 1024
/** A diff keeps at most this many parts; past them it is cut and marked truncated. */
export const MAX_DIFF_PARTS = 16

/** What a stored diff is of: a checkpoint (from the previous one) or a run (from its baseline). */
export const DiffSubject = z.enum(['checkpoint', 'run'])
export type DiffSubject = z.infer<typeof DiffSubject>
const diffKey = { subject: DiffSubject, id: z.string().min(1).max(600), part: z.number().int().nonnegative().max(MAX_DIFF_PARTS - 1) }

export const ProviderStatus = z.strictObject({
  provider: ProviderKind,
  state: z.enum(['checking', 'ready', 'missing', 'error']),
  version: z.string().max(200).nullable(),
  auth: z.enum(['unknown', 'authenticated', 'unauthenticated', 'not_required']),
  models: z.array(z.string().max(200)).max(200),
  capabilities: ProviderCapabilities.nullable(),
  message: z.string().max(2000).nullable(),
  checkedAt: Millis,
})
export type ProviderStatus = z.infer<typeof ProviderStatus>

const hello = {
  type: z.literal('hello'),
  protocolVersion: z.number().int(),
  runnerId: z.string().min(1).max(128),
}

export const ControlClientFrame = z.discriminatedUnion('type', [
  z.strictObject({ ...hello, epoch: z.number().int().positive().nullable(), workspaceRoot: z.string().max(4096).nullable() }),
  z.strictObject({ type: z.literal('status'), providers: z.array(ProviderStatus).max(10) }),
])
export type ControlClientFrame = z.infer<typeof ControlClientFrame>

export const ControlServerFrame = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('welcome'), protocolVersion: z.number().int(), epoch: z.number().int().positive(), workspaceId: WorkspaceId }),
  z.strictObject({ type: z.literal('refused'), error: LoomError }),
  /** Open a link to this thread: it has work for a runner. */
  z.strictObject({ type: z.literal('attach'), threadId: ThreadId }),
])
export type ControlServerFrame = z.infer<typeof ControlServerFrame>

export const LinkClientFrame = z.discriminatedUnion('type', [
  z.strictObject({ ...hello, epoch: z.number().int().positive() }),
  z.strictObject({
    type: z.literal('batch'),
    epoch: z.number().int().positive(),
    seq: z.number().int().positive(),
    events: z.array(RuntimeEvent).min(1).max(MAX_BATCH_EVENTS),
  }),
  /** Coalesced streaming text; ephemeral, so not sequenced. */
  z.strictObject({ type: z.literal('delta'), itemId: z.string().max(600), offset: z.number().int().nonnegative(), text: z.string().max(65_536) }),
  /** One part of a unified diff, stored outside the event log; the thread answers `diff.stored`. */
  z.strictObject({
    type: z.literal('diff'),
    ...diffKey,
    parts: z.number().int().positive().max(MAX_DIFF_PARTS),
    truncated: z.boolean(),
    text: z.string().max(MAX_DIFF_PART_CHARS),
  }),
])
export type LinkClientFrame = z.infer<typeof LinkClientFrame>

export const LinkServerFrame = z.discriminatedUnion('type', [
  /** `lastSeq`: the highest batch of this epoch already committed; resend what follows it. */
  z.strictObject({ type: z.literal('welcome'), protocolVersion: z.number().int(), lastSeq: z.number().int().nonnegative() }),
  z.strictObject({ type: z.literal('ack'), seq: z.number().int().nonnegative() }),
  z.strictObject({ type: z.literal('refused'), error: LoomError }),
  z.strictObject({ type: z.literal('effect'), effect: Effect }),
  z.strictObject({ type: z.literal('diff.stored'), ...diffKey }),
])
export type LinkServerFrame = z.infer<typeof LinkServerFrame>
