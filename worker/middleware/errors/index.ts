/** @module Errors at the HTTP edge: thrown once where they arise, mapped to a response in one place. */
import { log } from '../../log.ts'
import { HTTPException } from 'hono/http-exception'
import type { ErrorHandler } from 'hono'
import { loomError, statusOf, type LoomError } from '../../../src/contracts/index.ts'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

export const errorResponse = (error: LoomError): Response =>
  new Response(JSON.stringify(error), { status: statusOf(error.code), headers: { 'content-type': 'application/json' } })

/** Stops the request with a Loom error; `onError` below turns it into its response. */
export function raise(error: LoomError): never {
  throw new HTTPException(statusOf(error.code) as ContentfulStatusCode, { res: errorResponse(error), message: error.message })
}

export const onError: ErrorHandler = (err) => {
  if (err instanceof HTTPException) return err.getResponse()
  log.error('unhandled error', { cause: err })
  return errorResponse(loomError('internal_error', 'something went wrong on our side'))
}

/** Zod issues as the API reports them: the path and the message of each. */
export const issuesOf = (issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>) =>
  issues.slice(0, 50).map((issue) => ({ path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: issue.message }))
