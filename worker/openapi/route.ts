/** @module GET /v1/openapi.json: public, like the rest of the API's description. */
import { Hono } from 'hono'
import type { AppEnv } from '../app-env.ts'
import { documentJson } from './document.ts'

export const openapi = new Hono<AppEnv>().get('/openapi.json', () =>
  new Response(documentJson(), { headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' } }),
)
