/** @module The bare baseline: raw INSERT plus ws.send, no validation, no projection (bench only). */
import { DurableObject } from 'cloudflare:workers'
type Env = { BASE: DurableObjectNamespace<BaselineObject> }
export class BaselineObject extends DurableObject<Env> {
  seq = 0
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)')
    this.seq = ctx.storage.sql.exec<{ s: number }>('SELECT coalesce(max(seq), 0) AS s FROM events').one().s
  }
  insert(body: string): number {
    this.ctx.storage.sql.exec('INSERT INTO events (seq, body) VALUES (?, ?)', ++this.seq, body)
    const frame = `{"seq":${this.seq},"body":${body}}`
    for (const ws of this.ctx.getWebSockets('sub')) ws.send(frame)
    return this.seq
  }
  override async fetch(req: Request): Promise<Response> {
    const { 0: client, 1: server } = new WebSocketPair()
    this.ctx.acceptWebSocket(server, [new URL(req.url).pathname === '/sub' ? 'sub' : 'link'])
    const protocol = (req.headers.get('Sec-WebSocket-Protocol') ?? '').split(',')[0] ?? ''
    return new Response(null, { status: 101, webSocket: client, headers: protocol ? { 'Sec-WebSocket-Protocol': protocol } : {} })
  }
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const f = JSON.parse(message as string)
    for (const e of f.type === 'batch' ? f.events : f.type === 'delta' ? [f] : []) this.insert(JSON.stringify(e))
    if (f.type === 'batch') return ws.send(`{"type":"ack","seq":${f.seq}}`)
    if (f.method !== 'subscribeThread') return f.type === 'hello' ? ws.send('{"type":"welcome","lastSeq":0}') : undefined
    ws.send(JSON.stringify({ id: f.id, result: { sequence: this.seq } }))
    ws.send(JSON.stringify({ snapshot: this.ctx.storage.sql.exec('SELECT seq, body FROM events ORDER BY seq').toArray() }))
  }
}

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const stub = env.BASE.get(env.BASE.idFromName(new URL(req.url).searchParams.get('t') ?? 'default'))
    if (req.headers.get('Upgrade')?.toLowerCase() === 'websocket') return stub.fetch(req)
    return new Response(`{"sequence":${await stub.insert(await req.text())}}`, { headers: { 'content-type': 'application/json' } })
  },
}
