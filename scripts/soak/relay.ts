/**
 * @module A TCP relay on loopback in front of the worker, so the soak can cut one socket
 * without a close frame (both halves destroyed, no FIN handshake seen by the WebSocket layer).
 * The target is looked up per connection, so a restarted worker on the same port is reached.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'

export class Relay {
  readonly url: string
  private readonly server: Server
  private readonly pairs = new Set<[Socket, Socket]>()

  private constructor(server: Server, port: number) {
    this.server = server
    this.url = `http://127.0.0.1:${port}`
  }

  static async start(targetPort: number): Promise<Relay> {
    let relay: Relay | null = null
    const server = createServer((client) => {
      const upstream = connect(targetPort, '127.0.0.1')
      const pair: [Socket, Socket] = [client, upstream]
      relay?.pairs.add(pair)
      client.pipe(upstream)
      upstream.pipe(client)
      const end = () => {
        relay?.pairs.delete(pair)
        client.destroy()
        upstream.destroy()
      }
      for (const socket of pair) {
        socket.on('close', end)
        socket.on('error', end)
      }
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('relay has no port')
    relay = new Relay(server, address.port)
    return relay
  }

  get open(): number {
    return this.pairs.size
  }

  /** Destroys one connection picked by `pick` (an index below `open`); false when none is open. */
  cutOne(pick: (n: number) => number): boolean {
    const all = [...this.pairs]
    if (all.length === 0) return false
    const [client, upstream] = all[pick(all.length)]!
    client.destroy()
    upstream.destroy()
    return true
  }

  async close(): Promise<void> {
    for (const [client, upstream] of this.pairs) {
      client.destroy()
      upstream.destroy()
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
