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
import { admin } from './routes/admin.ts'
import { diffs } from './routes/diffs.ts'
import { openapi } from './openapi/route.ts'
import { apiCors, socketOrigin } from './middleware/origin/index.ts'
import { retryAfter } from './middleware/rate-limit/index.ts'

export const app = new Hono<AppEnv>()
  .use('/v1/*', apiCors(), socketOrigin(), retryAfter())
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
  .route('/v1/threads', diffs)
  .route('/v1/workspaces', workspaces)
  .route('/v1', sockets)
  .route('/v1/admin', admin)
  .route('/v1', openapi)
  .notFound(() => errorResponse(loomError('not_found', 'no such route')))
  .onError(onError)
