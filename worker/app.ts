/** @module The Hono app: every route under /v1, with body limits and one error mapping. */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { LIMITS, loomError } from '../src/contracts/index.ts'
import type { AppEnv } from './app-env.ts'
import { errorResponse, onError } from './middleware/errors/index.ts'
import { commands } from './routes/commands.ts'
import { threads } from './routes/threads.ts'
import { workspaces } from './routes/workspaces.ts'
import { sockets } from './routes/sockets.ts'

export const app = new Hono<AppEnv>()
  .use(
    '/v1/*',
    bodyLimit({
      maxSize: LIMITS.requestBodyBytes,
      onError: () => errorResponse(loomError('payload_too_large', `request bodies are limited to ${LIMITS.requestBodyBytes} bytes`)),
    }),
  )
  .get('/v1/health', (c) => c.json({ ok: true, service: 'loom' }))
  .route('/v1/commands', commands)
  .route('/v1/threads', threads)
  .route('/v1/workspaces', workspaces)
  .route('/v1', sockets)
  .notFound(() => errorResponse(loomError('not_found', 'no such route')))
  .onError(onError)
