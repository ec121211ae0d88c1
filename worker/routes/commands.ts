/** @module POST /v1/commands: dispatch a command to its thread. */
import { Hono } from 'hono'
import { Command, loomError } from '../../src/contracts/index.ts'
import type { AppEnv } from '../app-env.ts'
import { auth } from '../middleware/auth/index.ts'
import { issuesOf, raise } from '../middleware/errors/index.ts'
import { coversWorkspace } from '../auth/claims.ts'
import { fromReply } from './reply.ts'

export const commands = new Hono<AppEnv>().post('/', auth('operate'), async (c) => {
  let body: unknown
  try {
    body = await c.req.json()
  } catch {
    raise(loomError('invalid_json', 'the body must be JSON'))
  }
  // Validated here too, so garbage never wakes a thread object.
  const parsed = Command.safeParse(body)
  if (!parsed.success) raise(loomError('invalid_request', 'the command is not valid', { issues: issuesOf(parsed.error.issues) }))
  const command = parsed.data
  const claims = c.get('claims')
  if (command.type === 'thread.create' && !coversWorkspace(claims, command.workspaceId)) {
    raise(loomError('forbidden', `the token does not cover workspace ${command.workspaceId}`))
  }
  const stub = c.env.THREADS.get(c.env.THREADS.idFromName(command.threadId))
  return fromReply(await stub.dispatchValid(claims, command))
})
