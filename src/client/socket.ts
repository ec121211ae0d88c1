/** @module The smallest WebSocket surface the client uses, met by browsers, Node 22+, Deno and workerd. */

/** Handler parameters are `any` so that every platform's own WebSocket class fits this type. */
export type WebSocketLike = {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((event: any) => unknown) | null
  onmessage: ((event: any) => unknown) | null
  onclose: ((event: any) => unknown) | null
  onerror: ((event: any) => unknown) | null
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike

export const OPEN = 1

/** `http(s)://host/base` → `ws(s)://host/base`. */
export const socketUrl = (baseUrl: string, path: string): string => `${baseUrl.replace(/\/+$/, '').replace(/^http/, 'ws')}${path}`
