/**
 * @module The unified diff of a checkpoint (from the previous checkpoint) or of a run (from
 * its baseline), as `text/x-diff`. `Loom-Diff-Truncated: true` says the runner cut it.
 */
import { Hono } from 'hono'
import { validator } from 'hono/validator'
import { z } from 'zod'
import { CheckpointId, RunId, ThreadId } from '../../src/contracts/index.ts'
import type { AppEnv } from '../app-env.ts'
import { auth } from '../middleware/auth/index.ts'
import type { DiffReply } from '../thread/diff-reply.ts'
import { parse } from './threads.ts'

const CheckpointParams = z.object({ threadId: ThreadId, checkpointId: CheckpointId })
const RunParams = z.object({ threadId: ThreadId, runId: RunId })

const fromDiffReply = (reply: DiffReply): Response =>
  reply.diff === undefined
    ? new Response(reply.body, { status: reply.status, headers: { 'content-type': 'application/json' } })
    : new Response(reply.diff, { status: 200, headers: { 'content-type': 'text/x-diff; charset=utf-8', 'loom-diff-truncated': String(reply.truncated) } })

export const diffs = new Hono<AppEnv>()
  .get('/:threadId/checkpoints/:checkpointId/diff', auth('read'), validator('param', parse(CheckpointParams, 'path')), async (c) => {
    const { threadId, checkpointId } = c.req.valid('param')
    return fromDiffReply(await c.env.THREADS.get(c.env.THREADS.idFromName(threadId)).diff(c.get('claims'), 'checkpoint', checkpointId))
  })
  .get('/:threadId/runs/:runId/diff', auth('read'), validator('param', parse(RunParams, 'path')), async (c) => {
    const { threadId, runId } = c.req.valid('param')
    return fromDiffReply(await c.env.THREADS.get(c.env.THREADS.idFromName(threadId)).diff(c.get('claims'), 'run', runId))
  })
