/**
 * @module Driving Loom as its clients and its runner do: threads created over HTTP, a runner
 * control socket, a thread link with a live run, and batches of canonical runtime events.
 */
import { CLIENT_SUBPROTOCOL, RUNNER_PROTOCOL_VERSION, RUNNER_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../src/contracts/index.ts'
import { Socket, mintToken, post } from './client.ts'
import type { Server } from './server.ts'

export type Tokens = { operate: string; runner: string }

export const loomTokens = async (secret: string, workspaceId: string): Promise<Tokens> => ({
  operate: await mintToken(secret, 'user:bench', ['read', 'operate'], [workspaceId]),
  runner: await mintToken(secret, 'runner:bench', ['runner'], [workspaceId]),
})

export const wsUrl = (server: Server, path: string) => `${server.url.replace(/^http/, 'ws')}${path}`
export const clientProtocols = (token: string) => [CLIENT_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`]
export const runnerProtocols = (token: string) => [RUNNER_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`]

let counter = 0
export const uniqueId = (prefix: string) => `${prefix}-${process.pid.toString(36)}-${(counter++).toString(36)}`

export const dispatch = (loom: Server, token: string, command: Record<string, unknown>) =>
  post(`${loom.url}/v1/commands`, JSON.stringify({ commandId: uniqueId('cmd'), ...command }), token)

export const createThread = async (loom: Server, token: string, workspaceId: string): Promise<string> => {
  const threadId = uniqueId('thread')
  await dispatch(loom, token, { type: 'thread.create', threadId, workspaceId, title: 'Bench thread', modelSelection: { provider: 'codex', model: 'bench-model' } })
  return threadId
}

/** One runner process for a workspace: its control socket, with the epoch it was given. */
export type Runner = { control: Socket; epoch: number; runnerId: string }

export const connectRunner = async (loom: Server, tokens: Tokens, workspaceId: string): Promise<Runner> => {
  const control = await Socket.open(wsUrl(loom, `/v1/runner/control?workspaceId=${workspaceId}`), runnerProtocols(tokens.runner))
  const runnerId = uniqueId('runner')
  control.send({ type: 'hello', protocolVersion: RUNNER_PROTOCOL_VERSION, runnerId, epoch: null, workspaceRoot: null })
  const welcome = await control.until((f) => f.find((x) => x.type === 'welcome' || x.type === 'refused'))
  if (welcome.type !== 'welcome') throw new Error(`control refused: ${JSON.stringify(welcome)}`)
  return { control, epoch: welcome.epoch, runnerId }
}

/** A thread with an active run and its runner link, ready for batches from `nextSeq`. */
export type Link = { socket: Socket; threadId: string; runId: string; epoch: number; nextSeq: number }

export const startRun = async (loom: Server, tokens: Tokens, runner: Runner, workspaceId: string): Promise<Link> => {
  const threadId = await createThread(loom, tokens.operate, workspaceId)
  await dispatch(loom, tokens.operate, { type: 'message.dispatch', threadId, text: 'Benchmark, please.' })
  await runner.control.until((f) => f.find((x) => x.type === 'attach' && x.threadId === threadId))
  const socket = await Socket.open(wsUrl(loom, `/v1/runner/threads/${threadId}/link`), runnerProtocols(tokens.runner))
  socket.send({ type: 'hello', protocolVersion: RUNNER_PROTOCOL_VERSION, runnerId: runner.runnerId, epoch: runner.epoch })
  const welcome = await socket.until((f) => f.find((x) => x.type === 'welcome' || x.type === 'refused'))
  if (welcome.type !== 'welcome') throw new Error(`link refused: ${JSON.stringify(welcome)}`)
  const start = await socket.until((f) => f.find((x) => x.type === 'effect' && x.effect.body.kind === 'turn.start'))
  return { socket, threadId, runId: start.effect.body.runId, epoch: runner.epoch, nextSeq: welcome.lastSeq + 1 }
}

/** A completed assistant message of about `textChars` characters: one canonical runtime event. */
export const itemEvent = (runId: string, n: number, textChars = 200) => ({
  type: 'item.updated',
  runId,
  nativeItemId: `bench-item-${n}`,
  parentNativeItemId: null,
  status: 'completed',
  content: { type: 'assistant_message', text: `Item ${n}: ${'lorem ipsum dolor sit amet '.repeat(Math.ceil(textChars / 27))}`.slice(0, textChars) },
})

/** The batch frames a runner sends for `count` events, `batchSize` per frame, serialized once. */
export const batchFrames = (runId: string, epoch: number, firstSeq: number, firstItem: number, count: number, batchSize: number, textChars = 200): string[] => {
  const frames: string[] = []
  for (let i = 0, seq = firstSeq; i < count; i += batchSize, seq++) {
    const events = Array.from({ length: Math.min(batchSize, count - i) }, (_, k) => itemEvent(runId, firstItem + i + k, textChars))
    frames.push(JSON.stringify({ type: 'batch', epoch, seq, events }))
  }
  return frames
}

/**
 * Sends `frames` on a link keeping at most `window` unacknowledged; resolves when the last is
 * acknowledged. Works for Loom and the baseline alike (both answer `{type:'ack',seq}`).
 */
export const sendBatches = (socket: Socket, frames: string[], firstSeq: number, window: number, timeoutMs = 120_000): Promise<void> =>
  new Promise((resolve, reject) => {
    const lastSeq = firstSeq + frames.length - 1
    let sent = 0
    let acked = firstSeq - 1
    const timer = setTimeout(() => reject(new Error(`batches timed out at ack ${acked}`)), timeoutMs)
    const pump = () => {
      while (sent < frames.length && firstSeq + sent - acked <= window) socket.send(frames[sent++] as string)
    }
    socket.keep = false
    socket.onFrame = (data) => {
      const frame = JSON.parse(data)
      if (frame.type === 'refused') {
        clearTimeout(timer)
        reject(new Error(`batch refused: ${data.slice(0, 500)}`))
      } else if (frame.type === 'ack') {
        acked = Math.max(acked, frame.seq)
        if (acked >= lastSeq) {
          clearTimeout(timer)
          socket.onFrame = null
          socket.keep = true
          resolve()
        } else pump()
      }
    }
    pump()
  })
