/** @module Typed HTTP calls: each route's path, and its answer checked against the contract. */
import type { z } from 'zod'
import { LoomError } from '../contracts/errors.ts'
import { failure, success, type ClientError, type Result } from './result.ts'

export type HttpOptions = {
  baseUrl: string
  token: () => string
  fetch: typeof fetch
}

export type HttpCall = <S extends z.ZodType>(
  method: 'GET' | 'POST',
  path: string,
  schema: S,
  body?: unknown,
  signal?: AbortSignal,
) => Promise<Result<z.infer<S>>>

const readJson = async (response: Response): Promise<{ json: unknown } | { text: string }> => {
  const text = await response.text()
  try {
    return { json: text === '' ? null : JSON.parse(text) }
  } catch {
    return { text }
  }
}

type Call = { method: 'GET' | 'POST'; path: string; body?: unknown; signal?: AbortSignal | undefined }

const errorOf = async (response: Response): Promise<{ ok: false; error: ClientError }> => {
  let parsed: { json: unknown } | { text: string }
  try {
    parsed = await readJson(response)
  } catch (cause) {
    return failure(response.status, 'network_error', `the response body could not be read: ${String(cause)}`)
  }
  const error = 'json' in parsed ? LoomError.safeParse(parsed.json) : null
  if (error?.success) return failure(response.status, error.data.code, error.data.message, error.data.details)
  const text = 'text' in parsed ? parsed.text : JSON.stringify(parsed.json)
  return failure(response.status, 'http_error', `HTTP ${response.status}: ${text.slice(0, 200)}`)
}

/** The request functions bound to one server and token: `json` checks the answer against a schema, `raw` hands back a 2xx response. */
export const httpCaller = (opts: HttpOptions): { json: HttpCall; raw: (call: Call) => Promise<Result<Response>> } => {
  const base = opts.baseUrl.replace(/\/+$/, '')
  const raw = async ({ method, path, body, signal }: Call): Promise<Result<Response>> => {
    const headers: Record<string, string> = { authorization: `Bearer ${opts.token()}` }
    if (body !== undefined) headers['content-type'] = 'application/json'
    let response: Response
    try {
      response = await opts.fetch(`${base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal ? { signal } : {}),
      })
    } catch (cause) {
      const aborted = signal?.aborted === true
      return failure(0, aborted ? 'aborted' : 'network_error', aborted ? 'the request was aborted' : `the request failed: ${String(cause)}`)
    }
    return response.ok ? success(response) : errorOf(response)
  }
  const json: HttpCall = async (method, path, schema, body, signal) => {
    const answered = await raw({ method, path, body, signal })
    if (!answered.ok) return answered
    const response = answered.value
    let parsed: { json: unknown } | { text: string }
    try {
      parsed = await readJson(response)
    } catch (cause) {
      return failure(response.status, 'network_error', `the response body could not be read: ${String(cause)}`)
    }
    if (!('json' in parsed)) return failure(response.status, 'invalid_response', 'the response is not JSON')
    const value = schema.safeParse(parsed.json)
    if (!value.success) {
      return failure(response.status, 'invalid_response', 'the response does not match the contract', {
        issues: value.error.issues.slice(0, 20).map((i) => ({ path: i.path, message: i.message })),
      })
    }
    return success(value.data)
  }
  return { json, raw }
}

/** A path segment, encoded. */
export const seg = (value: string): string => encodeURIComponent(value)
