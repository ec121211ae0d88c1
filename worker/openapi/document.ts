/**
 * @module The OpenAPI 3.1 document, generated from the route table and the zod contracts with
 * `z.toJSONSchema` (JSON Schema 2020-12, the dialect OpenAPI 3.1 uses). Built once per isolate.
 */
import { z } from 'zod'
import { ERROR_STATUS, LoomError, TOKEN_SUBPROTOCOL_PREFIX } from '../../src/contracts/index.ts'
import { ROUTES, type Named, type RouteSpec } from './routes.ts'

type Json = Record<string, unknown>

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })

/** `/v1/threads/:threadId` → `/v1/threads/{threadId}`. */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')

/** Named schemas as components; requests describe what a client may send (`io: 'input'`), answers what it gets. */
const components = (named: Named[], io: 'input' | 'output'): Record<string, Json> => {
  const registry = z.registry<{ id: string }>()
  for (const { name, schema } of named) if (!registry.has(schema)) registry.add(schema, { id: name })
  const { schemas } = z.toJSONSchema(registry, { io, unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` })
  return Object.fromEntries(
    Object.entries(schemas).map(([name, schema]) => {
      const { $schema: _dialect, $id: _id, ...rest } = schema as Json
      return [name, rest]
    }),
  )
}

const parameters = (route: RouteSpec): Json[] => {
  const list: Json[] = []
  const add = (where: 'path' | 'query', shape: z.ZodObject) => {
    const json = z.toJSONSchema(shape, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, Json>; required?: string[] }
    for (const [name, schema] of Object.entries(json.properties ?? {})) {
      list.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema })
    }
  }
  if (route.params) add('path', route.params)
  if (route.query) add('query', route.query)
  return list
}

const errorStatuses = (route: RouteSpec): number[] => [...new Set([...(route.scope ? [401, 403] : []), ...route.errors, 429])].sort((a, b) => a - b)

const CODES_BY_STATUS = Object.entries(ERROR_STATUS).reduce<Record<number, string[]>>((acc, [code, status]) => {
  ;(acc[status] ??= []).push(code)
  return acc
}, {})

const answer = (route: RouteSpec): Json => {
  const a = route.answer
  if ('json' in a) return { '200': { description: route.summary, content: { 'application/json': { schema: ref(a.json.name) } } } }
  if ('text' in a) {
    const headers = Object.fromEntries(Object.entries(a.text.headers ?? {}).map(([name, description]) => [name, { description, schema: { type: 'string' } }]))
    return { '200': { description: a.text.description, headers, content: { [a.text.contentType]: { schema: { type: 'string' } } } } }
  }
  if ('websocket' in a) {
    return {
      '101': {
        description: `Switching to a WebSocket. Offer \`${a.websocket}\` and \`${TOKEN_SUBPROTOCOL_PREFIX}<jwt>\` in Sec-WebSocket-Protocol (browsers cannot set Authorization on a WebSocket).`,
      },
    }
  }
  return { '200': { description: a.description, content: { 'application/json': { schema: {} } } } }
}

const operation = (route: RouteSpec): Json => {
  const responses: Json = answer(route)
  for (const status of errorStatuses(route)) {
    responses[String(status)] = {
      description: `Error: ${(CODES_BY_STATUS[status] ?? ['internal_error']).join(', ')}`,
      content: { 'application/json': { schema: ref('LoomError') } },
    }
  }
  return {
    operationId: `${route.method}${openApiPath(route.path).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: route.summary,
    ...(route.scope ? { security: [{ bearer: [] }], 'x-loom-scope': route.scope } : { security: [] }),
    parameters: parameters(route),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: ref(route.body.name) } } } } : {}),
    responses,
  }
}

export const buildDocument = (routes: readonly RouteSpec[] = ROUTES): Json => {
  const paths: Record<string, Json> = {}
  for (const route of routes) (paths[openApiPath(route.path)] ??= {})[route.method] = operation(route)
  const requests = routes.flatMap((r) => (r.body ? [r.body] : []))
  const answers = routes.flatMap((r) => ('json' in r.answer ? [r.answer.json] : []))
  return {
    openapi: '3.1.0',
    info: {
      title: 'Loom',
      version: '1',
      description: 'A hosted control plane for coding agents. Errors are `{ code, message, details? }`; clients check `code`.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: { ...components(answers.concat([{ name: 'LoomError', schema: LoomError }]), 'output'), ...components(requests, 'input') },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'HS256 JWT with scopes read, operate, runner, admin' } },
    },
  }
}

let cached: string | null = null

/** The document as JSON text, built on first use. */
export const documentJson = (): string => (cached ??= JSON.stringify(buildDocument()))
