/** @module Sending frames on sockets that may already be closing. */
import type { LoomError } from '../../src/contracts/index.ts'

/** Sends if the socket is open; a closed peer is the close handler's business, not an error here. */
export const send = (ws: WebSocket, frame: string): boolean => {
  if (ws.readyState !== WebSocket.OPEN) return false
  try {
    ws.send(frame)
    return true
  } catch (cause) {
    console.warn(JSON.stringify({ msg: 'websocket send failed', cause: String(cause) }))
    return false
  }
}

export const sendJson = (ws: WebSocket, frame: unknown): boolean => send(ws, JSON.stringify(frame))

export const errorFrame = (id: string | number | null, error: LoomError) => ({ id, error })

/** Parses a frame; returns undefined for anything that is not JSON text. */
export const parseFrame = (message: string | ArrayBuffer): unknown => {
  if (typeof message !== 'string') return undefined
  try {
    return JSON.parse(message)
  } catch {
    return undefined
  }
}
