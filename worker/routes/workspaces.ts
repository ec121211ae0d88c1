/** @module A workspace's thread list (active or archived) and its runner's provider status. */
import { Hono } from 'hono'
import { validator } from 'hono/validator'
import { z } from 'zod'
import { WorkspaceId } from '../../src/contracts/index.ts'
import type { AppEnv } from '../app-env.ts'
import { auth } from '../middleware/auth/index.ts'
import { fromReply } from './reply.ts'
import { parse } from './threads.ts'

const Params = z.object({ workspaceId: WorkspaceId })
export const ListQuery = z.object({ archived: z.enum(['true', 'false']).default('false') })

export const workspaces = new Hono<AppEnv>()
  .get('/:workspaceId/threads', auth('read'), validator('param', parse(Params, 'path')), validator('query', parse(ListQuery, 'query')), async (c) => {
    const { workspaceId } = c.req.valid('param')
    const stub = c.env.WORKSPACES.get(c.env.WORKSPACES.idFromName(workspaceId))
    return fromReply(await stub.listThreads(c.get('claims'), workspaceId, c.req.valid('query').archived === 'true'))
  })
  .get('/:workspaceId/providers', auth('read'), validator('param', parse(Params, 'path')), async (c) => {
    const { workspaceId } = c.req.valid('param')
    return fromReply(await c.env.WORKSPACES.get(c.env.WORKSPACES.idFromName(workspaceId)).providers(c.get('claims'), workspaceId))
  })
