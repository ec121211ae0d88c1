/** @module Plain JSON over HTTP for the soak, with a time limit; a dropped socket is an answer of its own (status null). */

export type HttpAnswer = { status: number | null; body: any; retryAfter: number | null }

export const request = async (url: string, token: string, body?: unknown, timeoutMs = 15_000): Promise<HttpAnswer> => {
  try {
    const response = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    })
    const text = await response.text()
    let parsed: unknown = null
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {
      parsed = text
    }
    const retryAfter = Number(response.headers.get('retry-after'))
    return { status: response.status, body: parsed, retryAfter: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null }
  } catch {
    return { status: null, body: null, retryAfter: null }
  }
}

/** GETs `path` until it answers 200 (the worker may be restarting), or gives up after `timeoutMs`. */
export const read = async (base: string, token: string, path: string, timeoutMs = 30_000): Promise<any> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const answer = await request(`${base}${path}`, token)
    if (answer.status === 200) return answer.body
    if (Date.now() > deadline) throw new Error(`GET ${path}: ${answer.status} ${JSON.stringify(answer.body)}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}
