/**
 * @module GET /v1/openapi.json: the document lists every route the Hono app answers and
 * nothing else, its references resolve, and each documented route answers with a status it
 * documents.
 */
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Command } from '../../src/contracts/index.ts'
import { api, createThread, dispatch, token, uniqueId } from './helpers.ts'
import { app } from '../../worker/app.ts'
import { openApiPath } from '../../worker/openapi/document.ts'
import { ROUTES } from '../../worker/openapi/routes.ts'

type Doc = {
  openapi: string
  paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters: Array<{ name: string; in: string }> }>>
  components: { schemas: Record<string, any> }
}

const readDocument = async (): Promise<Doc> => {
  const response = await SELF.fetch('https://loom.test/v1/openapi.json')
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toContain('application/json')
  return response.json()
}

/** `METHOD path` of every route the app registered, middleware (`ALL`, wildcards) left out. */
const appRoutes = (): string[] =>
  [...new Set(app.routes.filter((r) => r.method !== 'ALL' && !r.path.includes('*')).map((r) => `${r.method} ${openApiPath(r.path)}`))].sort()

const documented = (doc: Doc): string[] =>
  Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
    .sort()

const refsIn = (value: unknown, found: string[] = []): string[] => {
  if (Array.isArray(value)) for (const v of value) refsIn(v, found)
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string') found.push(v)
      else refsIn(v, found)
    }
  }
  return found
}

const SAMPLE: Record<string, string> = { threadId: 'thread-openapi', workspaceId: 'ws-test', checkpointId: 'cp-1', runId: 'run-1' }

describe('GET /v1/openapi.json', () => {
  it('should document exactly the routes the app answers', async () => {
    const doc = await readDocument()
    expect(doc.openapi).toBe('3.1.0')
    const answered = appRoutes()
    expect(answered.length).toBeGreaterThanOrEqual(10)
    expect(documented(doc)).toEqual(answered)
  })

  it('should resolve every reference to a component generated from the contracts', async () => {
    const doc = await readDocument()
    const refs = [...new Set(refsIn(doc))]
    expect(refs).toContain('#/components/schemas/Command')
    for (const ref of refs) expect(doc.components.schemas[ref.replace('#/components/schemas/', '')], ref).toBeDefined()
    // One branch per command type, straight from the zod union.
    const command = doc.components.schemas.Command
    expect(command.oneOf.map((b: any) => b.properties.type.const).sort()).toEqual(Command.options.map((o: any) => o.shape.type.value).sort())
    expect(doc.components.schemas.ThreadProjection.required).toContain('turnItems')
    expect(doc.components.schemas.LoomError.required).toEqual(['code', 'message'])
  })

  it('should name every path parameter of a route', async () => {
    const doc = await readDocument()
    for (const [path, ops] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])
      for (const op of Object.values(ops)) expect(op.parameters.filter((p) => p.in === 'path').map((p) => p.name), path).toEqual(names)
    }
  })

  it('should get a documented status from every documented route, and never "no such route"', async () => {
    const doc = await readDocument()
    for (const route of ROUTES) {
      const path = route.path.replace(/:(\w+)/g, (_m, name: string) => SAMPLE[name] ?? 'x')
      const response = await SELF.fetch(`https://loom.test${path}`, {
        method: route.method.toUpperCase(),
        ...(route.method === 'post' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}),
      })
      const body = await response.text()
      const statuses = Object.keys(doc.paths[openApiPath(route.path)]?.[route.method]?.responses ?? {})
      expect(statuses, `${route.method} ${route.path} answered ${response.status} ${body.slice(0, 200)}`).toContain(String(response.status))
      expect(body).not.toContain('no such route')
    }
  })

  it('should describe what the worker really sends and takes (schemas read back with z.fromJSONSchema)', async () => {
    const doc = await readDocument()
    const schema = (name: string) => z.fromJSONSchema(doc.components.schemas[name])
    const tok = await token()
    const threadId = await createThread(tok)
    const sent = await dispatch(tok, { type: 'message.dispatch', threadId, text: 'hello' })
    expect(schema('DispatchResult').safeParse(sent.body).success).toBe(true)
    const answers: Array<[string, unknown]> = [
      ['ThreadProjection', (await api(`/v1/threads/${threadId}`, { token: tok })).body],
      ['EventsPage', (await api(`/v1/threads/${threadId}/events?after=0`, { token: tok })).body],
      ['ThreadList', (await api('/v1/workspaces/ws-test/threads', { token: tok })).body],
      ['ProvidersReport', (await api('/v1/workspaces/ws-test/providers', { token: tok })).body],
      ['Health', (await api('/v1/health')).body],
      ['LoomError', (await api(`/v1/threads/${uniqueId('missing')}`, { token: tok })).body],
    ]
    for (const [name, body] of answers) {
      const parsed = schema(name).safeParse(body)
      expect(parsed.success, `${name}: ${JSON.stringify(parsed.error?.issues.slice(0, 3))}`).toBe(true)
    }
    // A command the worker refuses is one the document refuses too.
    const command = schema('Command')
    expect(command.safeParse({ commandId: 'c-1', type: 'thread.archive', threadId }).success).toBe(true)
    expect(command.safeParse({ commandId: 'c-1', type: 'thread.archive' }).success).toBe(false)
    expect(command.safeParse({ commandId: 'c-1', type: 'thread.explode', threadId }).success).toBe(false)
  })
})
