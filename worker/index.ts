/** @module The Worker entry: the Hono app and the two Durable Object classes. */
import { app } from './app.ts'

export { ThreadObject } from './thread/thread-object.ts'
export { WorkspaceObject } from './workspace/workspace-object.ts'
export { TokenGuard } from './auth/token-guard.ts'

export default app
