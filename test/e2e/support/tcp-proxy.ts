/**
 * @module A TCP relay between the runner and the worker, so a test can break the runner's
 * sockets without touching its process: `hold()` silently drops bytes (both ways, or only
 * those toward the runner, so what it sends lands but no answer comes back), `cut()` destroys
 * every connection (later ones work again).
 */
import { createServer, connect, type Socket } from 'node:net'

export type TcpProxy = { url: string; hold: (direction?: 'both' | 'to-runner') => void; cut: () => number; close: () => Promise<void> }

export const startTcpProxy = async (target: URL): Promise<TcpProxy> => {
  const pairs = new Set<[Socket, Socket]>()
  let held: 'both' | 'to-runner' | null = null
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname)
    const pair: [Socket, Socket] = [client, upstream]
    pairs.add(pair)
    client.on('data', (chunk) => void (held === 'both' ? undefined : upstream.write(chunk)))
    upstream.on('data', (chunk) => void (held !== null ? undefined : client.write(chunk)))
    const end = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('close', end)
    upstream.on('close', end)
    client.on('error', end)
    upstream.on('error', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('proxy has no port')
  return {
    url: `http://127.0.0.1:${address.port}`,
    hold: (direction = 'both') => {
      held = direction
    },
    cut: () => {
      const count = pairs.size
      for (const [client, upstream] of [...pairs]) {
        client.destroy()
        upstream.destroy()
      }
      pairs.clear()
      held = null
      return count
    },
    close: async () => {
      for (const [client, upstream] of pairs) {
        client.destroy()
        upstream.destroy()
      }
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
