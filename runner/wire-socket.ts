/**
 * @module One WebSocket to the worker, with JSON frames, the bearer token in a header, a ping
 * every `heartbeatMs` (answered by the objects' auto-response, which also keeps the thread's
 * runner lease alive), and a socket that stops answering treated as closed at once rather
 * than after the operating system's TCP timeout.
 */
import { RUNNER_SUBPROTOCOL } from '../src/contracts/index.ts'

export type CloseInfo = { code: number; reason: string; opened: boolean }

export type WireSocketOptions = {
  url: string
  token: string
  heartbeatMs: number
  /** How long the upgrade may take (default 10 s). */
  connectTimeoutMs?: number
  onOpen: () => void
  onFrame: (frame: unknown) => void
  /** Called exactly once, however the socket ends. */
  onClose: (info: CloseInfo) => void
  /** Frames that are not JSON, and sockets that fail to close cleanly. */
  warn: (msg: string, fields: Record<string, string>) => void
}

export type WireSocket = {
  send: (frame: unknown) => boolean
  close: (code?: number, reason?: string) => void
  readonly open: boolean
}

/** The parts of Node 22's global (undici) WebSocket used here; it takes `headers`, unlike the DOM's. */
type NodeSocket = {
  readonly readyState: number
  send: (data: string) => void
  close: (code?: number, reason?: string) => void
  addEventListener: (type: 'open' | 'message' | 'close' | 'error', listener: (event: { data?: unknown; code?: number; reason?: string; message?: string }) => void) => void
}
type NodeSocketInit = { protocols: string[]; headers: Record<string, string> }
const NodeWebSocket = globalThis.WebSocket as unknown as new (url: string, init: NodeSocketInit) => NodeSocket
const OPEN = 1

/** A pong, or any frame, counts as life; this many heartbeats of silence end the socket. */
const SILENT_HEARTBEATS = 3

export const openWireSocket = (options: WireSocketOptions): WireSocket => {
  const ws = new NodeWebSocket(options.url, { protocols: [RUNNER_SUBPROTOCOL], headers: { Authorization: `Bearer ${options.token}` } })
  let opened = false
  let finished = false
  let lastHeard = Date.now()

  const finish = (info: Omit<CloseInfo, 'opened'>) => {
    if (finished) return
    finished = true
    clearInterval(heartbeat)
    clearTimeout(connectTimer)
    options.onClose({ ...info, opened })
  }

  /** Gives up on a socket that no longer answers; its own close event may come much later. */
  const abandon = (reason: string) => {
    if (finished) return
    finish({ code: 1006, reason })
    closeQuietly(4000, reason)
  }

  /** Closing a socket that is still connecting can throw; it is dropped either way. */
  const closeQuietly = (code: number, reason: string) => {
    try {
      ws.close(code, reason.slice(0, 100))
    } catch (cause) {
      options.warn('closing a socket failed', { url: options.url, cause: String(cause) })
    }
  }

  const connectTimer = setTimeout(() => abandon('connect timed out'), options.connectTimeoutMs ?? 10_000)
  const heartbeat = setInterval(() => {
    if (!opened || finished) return
    if (Date.now() - lastHeard > SILENT_HEARTBEATS * options.heartbeatMs) return abandon('no answer to pings')
    try {
      ws.send('ping')
    } catch (cause) {
      abandon(`ping failed: ${String(cause)}`)
    }
  }, options.heartbeatMs)

  ws.addEventListener('open', () => {
    if (finished) return
    opened = true
    lastHeard = Date.now()
    clearTimeout(connectTimer)
    options.onOpen()
  })
  ws.addEventListener('message', (event) => {
    if (finished) return
    lastHeard = Date.now()
    const text = typeof event.data === 'string' ? event.data : ''
    if (text === 'pong') return
    let frame: unknown
    try {
      frame = JSON.parse(text)
    } catch {
      options.warn('ignored a frame that is not JSON', { url: options.url, frame: text.slice(0, 200) })
      return
    }
    options.onFrame(frame)
  })
  ws.addEventListener('close', (event) => finish({ code: event.code ?? 1006, reason: event.reason ?? '' }))
  // Node's WebSocket reports a refused upgrade as 'error' with no 'close' after it; after
  // an open, 'close' normally follows, and the abandon below only covers it not coming.
  ws.addEventListener('error', (event) => {
    const reason = event.message ?? 'socket error'
    if (!opened) return abandon(reason)
    setTimeout(() => abandon(reason), 1000).unref()
  })

  return {
    send: (frame) => {
      if (finished || ws.readyState !== OPEN) return false
      try {
        ws.send(JSON.stringify(frame))
        return true
      } catch (cause) {
        abandon(`send failed: ${String(cause)}`)
        return false
      }
    },
    close: (code = 1000, reason = 'closing') => {
      if (finished) return
      finish({ code, reason })
      closeQuietly(code, reason)
    },
    get open() {
      return opened && !finished && ws.readyState === OPEN
    },
  }
}
