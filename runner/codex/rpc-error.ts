/** @module The one typed error of the Codex JSON-RPC client. */

/** Stable codes of {@link CodexRpcError}. */
export type CodexRpcErrorCode =
  /** The server answered a request with a JSON-RPC error; see `rpcCode`. */
  | 'codex.rpc_error'
  /** The app-server process exited (or closed stdout) while the request was pending. */
  | 'codex.process_exited'
  /** The process could not be spawned or its stdin failed. */
  | 'codex.spawn_failed'
  /** A request was made after the process had exited or the client was closed. */
  | 'codex.closed'
  /** An inbound line or frame did not fit the protocol (reported, never thrown). */
  | 'codex.protocol'
  /** A server-request handler or notification listener threw (reported, never thrown). */
  | 'codex.handler_failed'

/** Details of a {@link CodexRpcError}; all but `code` and `message` optional. */
export type CodexRpcErrorInit = {
  code: CodexRpcErrorCode
  message: string
  method?: string
  rpcCode?: number
  data?: unknown
  exit?: { code: number | null; signal: string | null }
  cause?: unknown
}

/** Error raised or reported by the Codex client; check `code`, not the message. */
export class CodexRpcError extends Error {
  readonly code: CodexRpcErrorCode
  readonly method: string | undefined
  readonly rpcCode: number | undefined
  readonly data: unknown
  readonly exit: { code: number | null; signal: string | null } | undefined

  constructor(init: CodexRpcErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause })
    this.name = 'CodexRpcError'
    this.code = init.code
    this.method = init.method
    this.rpcCode = init.rpcCode
    this.data = init.data
    this.exit = init.exit
  }
}
