/**
 * @module A loopback proxy in front of the fake Responses API that rewrites response bodies,
 * so a test can make the real Codex see model output the fake server has no directive for.
 * The fake server still receives, logs and answers every request.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export type RewriteProxy = { url: string; close(): Promise<void> }

/** Starts the proxy on 127.0.0.1; `rewrite` gets each response body (SSE text) and returns the new one. */
export async function startRewriteProxy(targetOrigin: string, rewrite: (body: string) => string): Promise<RewriteProxy> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'content-length' && e[0] !== 'host'))
      fetch(targetOrigin + (req.url ?? '/'), { method: req.method, headers, ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}) })
        .then(async (upstream) => {
          const body = rewrite(await upstream.text())
          res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' })
          res.end(body)
        })
        .catch((error: unknown) => {
          res.writeHead(502, { 'content-type': 'text/plain' })
          res.end(`proxy: ${error instanceof Error ? error.message : String(error)}`)
        })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  }
}
