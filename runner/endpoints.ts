/** @module The worker URLs a runner uses, from the `--server` base (http(s) or ws(s)). */

const join = (server: URL, path: string): URL => {
  const url = new URL(server.href)
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`
  return url
}

/** The WebSocket URL of `path` (`http` becomes `ws`, `https` becomes `wss`). */
export const socketUrl = (server: URL, path: string): string => {
  const url = join(server, path)
  if (url.protocol === 'http:') url.protocol = 'ws:'
  if (url.protocol === 'https:') url.protocol = 'wss:'
  return url.href
}

/** The same endpoint over plain HTTP, to ask why an upgrade failed. */
export const httpUrl = (server: URL, path: string): string => {
  const url = join(server, path)
  if (url.protocol === 'ws:') url.protocol = 'http:'
  if (url.protocol === 'wss:') url.protocol = 'https:'
  return url.href
}

export const controlPath = '/v1/runner/control'
export const linkPath = (threadId: string): string => `/v1/runner/threads/${encodeURIComponent(threadId)}/link`
