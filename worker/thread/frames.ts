/** @module Sending frames on sockets that may already be closing. */
import { log } from '../log.ts'
import type { LoomError } from '../../src/contracts/index.ts'

/**
 * Sends if the socket is open; a closed peer is the close handler's business, not an error here.
 * The state is read only when a send fails: reading it before every send cost as much as the
 * send itself in fan-out (bench/profile.ts fanout).
 */
export const send = (ws: WebSocket, frame: string): boolean => {
  try {
    ws.send(frame)
    return true
  } catch (cause) {
    if (ws.readyState === WebSocket.OPEN) log.warn('websocket send failed', { cause })
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
