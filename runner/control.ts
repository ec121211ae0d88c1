/**
 * @module The control socket to the workspace: hello (no epoch the first time, the issued epoch
 * on every reconnect), provider status, and attach requests. A refusal that means this process
 * must not serve (a newer runner fenced it, the protocol differs, the token does not cover the
 * workspace) is fatal: a fenced runner does not keep fighting.
 */
import { ControlServerFrame, RUNNER_PROTOCOL_VERSION, type ProviderStatus } from '../src/contracts/index.ts'
import { createBackoff } from './backoff.ts'
import type { Logger } from './console-log.ts'
import { controlPath, httpUrl, socketUrl } from './endpoints.ts'
import { diagnoseUpgrade } from './upgrade-diagnosis.ts'
import { openWireSocket, type CloseInfo, type WireSocket } from './wire-socket.ts'

export type ControlOptions = {
  server: URL
  token: string
  runnerId: string
  workspaceRoot: string
  heartbeatMs: number
  log: Logger
  /** The current provider statuses, sent after every welcome. */
  statuses: () => ProviderStatus[]
  onWelcome: (epoch: number, workspaceId: string) => void
  onAttach: (threadId: string) => void
  onFatal: (message: string) => void
}

const FATAL = new Set(['stale_epoch', 'protocol_version_mismatch', 'forbidden', 'unauthorized', 'token_expired'])

export class ControlConnection {
  epoch: number | null = null
  private readonly options: ControlOptions
  private readonly backoff = createBackoff()
  private socket: WireSocket | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private stopped = false
  private welcomed = false
  private lastFailure = ''

  constructor(options: ControlOptions) {
    this.options = options
  }

  start(): void {
    this.connect()
  }

  /** Sends the provider statuses now, if connected. */
  sendStatus(): void {
    if (this.welcomed) this.socket?.send({ type: 'status', providers: this.options.statuses() })
  }

  /** Says hello again now: a thread refused the epoch, and the workspace decides whether it still serves. */
  reconnect(): void {
    if (!this.stopped) this.socket?.close(1000, 'checking epoch')
  }

  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.socket?.close(1000, 'runner shutting down')
  }

  private connect(): void {
    if (this.stopped) return
    const { server, token, heartbeatMs, log } = this.options
    this.socket = openWireSocket({
      url: socketUrl(server, controlPath),
      token,
      heartbeatMs,
      onOpen: () =>
        this.socket?.send({
          type: 'hello',
          protocolVersion: RUNNER_PROTOCOL_VERSION,
          runnerId: this.options.runnerId,
          epoch: this.epoch,
          workspaceRoot: this.options.workspaceRoot,
        }),
      onFrame: (frame) => this.onFrame(frame),
      onClose: (info) => void this.onClose(info),
      warn: (msg, fields) => log.warn(msg, fields),
    })
  }

  private onFrame(raw: unknown): void {
    const parsed = ControlServerFrame.safeParse(raw)
    if (!parsed.success) return this.options.log.warn('ignored an unknown control frame', { frame: JSON.stringify(raw).slice(0, 200) })
    const frame = parsed.data
    switch (frame.type) {
      case 'welcome': {
        const resumed = this.epoch !== null
        this.epoch = frame.epoch
        this.welcomed = true
        this.lastFailure = ''
        this.backoff.reset()
        this.options.log.info(resumed ? 'reconnected' : 'connected', { server: this.options.server.origin, workspace: frame.workspaceId, epoch: frame.epoch })
        this.sendStatus()
        this.options.onWelcome(frame.epoch, frame.workspaceId)
        return
      }
      case 'attach':
        this.options.onAttach(frame.threadId)
        return
      case 'refused':
        if (FATAL.has(frame.error.code)) return this.options.onFatal(`the workspace refused this runner (${frame.error.code}): ${frame.error.message}`)
        this.options.log.error('the workspace refused a control frame', { code: frame.error.code, message: frame.error.message })
    }
  }

  private async onClose(info: CloseInfo): Promise<void> {
    this.socket = null
    const wasWelcomed = this.welcomed
    this.welcomed = false
    if (this.stopped) return
    if (wasWelcomed) this.options.log.warn('control socket closed; reconnecting', { code: info.code, reason: info.reason || undefined })
    else if (!info.opened) {
      const verdict = await diagnoseUpgrade(httpUrl(this.options.server, controlPath), this.options.token)
      if (verdict.fatal) return this.options.onFatal(`the server refused the runner token (HTTP ${verdict.status} ${verdict.error.code}): ${verdict.error.message}`)
      this.failed(`cannot connect: ${verdict.detail}`)
    } else this.failed(`closed before welcome: ${info.code} ${info.reason}`)
    if (this.stopped) return
    this.timer = setTimeout(() => this.connect(), this.backoff.next())
  }

  /** Logs a failed attempt once per distinct reason, not once per retry. */
  private failed(detail: string): void {
    if (detail === this.lastFailure) return
    this.lastFailure = detail
    this.options.log.warn('control connection failed; retrying with backoff', { detail })
  }
}
