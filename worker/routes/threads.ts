/** @module Reading a thread: GET /v1/threads/:threadId and its events after a sequence. */
import { Hono } from 'hono'
import { validator } from 'hono/validator'
import { z } from 'zod'
import { LIMITS, ThreadId, loomError } from '../../src/contracts/index.ts'
import type { AppEnv } from '../app-env.ts'
import { auth } from '../middleware/auth/index.ts'
import { issuesOf, raise } from '../middleware/errors/index.ts'
import { fromReply } from './reply.ts'

const Params = z.object({ threadId: ThreadId })
export const EventsQuery = z.object({
  after: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().positive().max(LIMITS.eventsPageSize).default(LIMITS.eventsPageSize),
})

export const parse = <S extends z.ZodType>(schema: S, where: string) =>
  (value: unknown): z.infer<S> => {
    const parsed = schema.safeParse(value)
    if (!parsed.success) raise(loomError('invalid_request', `the ${where} is not valid`, { issues: issuesOf(parsed.error.issues) }))
    return parsed.data
  }

export const threads = new Hono<AppEnv>()
  .get('/:threadId', auth('read'), validator('param', parse(Params, 'path')), async (c) => {
    const { threadId } = c.req.valid('param')
    return fromReply(await c.env.THREADS.get(c.env.THREADS.idFromName(threadId)).projection(c.get('claims')))
  })
  .get('/:threadId/events', auth('read'), validator('param', parse(Params, 'path')), validator('query', parse(EventsQuery, 'query')), async (c) => {
    const { threadId } = c.req.valid('param')
    const { after, limit } = c.req.valid('query')
    return fromReply(await c.env.THREADS.get(c.env.THREADS.idFromName(threadId)).events(c.get('claims'), after, limit))
  })
