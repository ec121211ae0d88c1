/** @module The JSON bodies of the HTTP read routes that have no entity of their own. */
import { z } from 'zod'
import { StoredEvent } from '../events.ts'
import { ThreadShell } from '../projection.ts'
import { ProviderStatus } from './runner.ts'
import { Millis } from '../entities/common.ts'

export const Health = z.strictObject({ ok: z.literal(true), service: z.string() })
export type Health = z.infer<typeof Health>

/** `GET /v1/threads/:threadId/events?after=&limit=`: one page of the log. */
export const EventsPage = z.strictObject({
  events: z.array(StoredEvent),
  nextAfter: z.number().int().nonnegative(),
  hasMore: z.boolean(),
})
export type EventsPage = z.infer<typeof EventsPage>

/** `GET /v1/workspaces/:workspaceId/threads`: the shell summaries. */
export const ThreadList = z.strictObject({ threads: z.array(ThreadShell) })
export type ThreadList = z.infer<typeof ThreadList>

/** `GET /v1/workspaces/:workspaceId/providers`: the runner serving the workspace and what it reported. */
export const ProvidersReport = z.strictObject({
  runner: z
    .strictObject({
      epoch: z.number().int().positive(),
      runnerId: z.string(),
      connected: z.boolean(),
      connectedAt: Millis,
    })
    .nullable(),
  providers: z.array(ProviderStatus),
})
export type ProvidersReport = z.infer<typeof ProvidersReport>
