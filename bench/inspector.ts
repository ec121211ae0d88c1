/** @module The DevTools protocol of workerd's user isolate (`core:user:`), for the diagnostics profile.ts and memory.ts. */

export type Inspector = { call: (method: string, params?: object) => Promise<any>; close: () => void }

export const inspectUserIsolate = async (port: number): Promise<Inspector> => {
  const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ id: string; webSocketDebuggerUrl: string }>
  const target = list.find((t) => t.id === 'core:user:')
  if (!target) throw new Error('no core:user: target')
  const ws = new WebSocket(target.webSocketDebuggerUrl)
  await new Promise((resolve) => ws.addEventListener('open', resolve, { once: true }))
  let id = 0
  const pending = new Map<number, (v: any) => void>()
  ws.addEventListener('message', (e) => {
    const msg = JSON.parse(String(e.data))
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result)
  })
  return {
    call: (method, params = {}) =>
      new Promise<any>((resolve) => {
        pending.set(++id, resolve)
        ws.send(JSON.stringify({ id, method, params }))
      }),
    close: () => ws.close(),
  }
}
