/** @module Typed views over the generated Codex app-server protocol, keyed by method. */
import type {
  ApplyPatchApprovalResponse,
  ClientRequest,
  ExecCommandApprovalResponse,
  InitializeResponse,
  RequestId,
  ServerNotification,
  ServerRequest,
} from '../generated/codex/index.ts'
import type {
  AttestationGenerateResponse,
  ChatgptAuthTokensRefreshResponse,
  CommandExecutionRequestApprovalResponse,
  ConfigReadResponse,
  CurrentTimeReadResponse,
  DynamicToolCallResponse,
  FileChangeRequestApprovalResponse,
  GetAccountResponse,
  McpServerElicitationRequestResponse,
  ModelListResponse,
  PermissionsRequestApprovalResponse,
  ThreadArchiveResponse,
  ThreadForkResponse,
  ThreadItemsListResponse,
  ThreadReadResponse,
  ThreadResumeResponse,
  ThreadRevertResponse,
  ThreadStartResponse,
  ThreadTurnsListResponse,
  ThreadUnsubscribeResponse,
  ToolRequestUserInputResponse,
  TurnInterruptResponse,
  TurnStartResponse,
  TurnSteerResponse,
} from '../generated/codex/v2/index.ts'

export type { ClientRequest, InitializeResponse, RequestId, ServerNotification, ServerRequest }

/** A client→server method the caller may send; `initialize` belongs to the client itself. */
export type ClientMethod = Exclude<ClientRequest['method'], 'initialize'>

/** The params of a client→server method, from the generated `ClientRequest` union. */
export type ParamsOf<M extends ClientRequest['method']> = Extract<ClientRequest, { method: M }>['params']

/**
 * Results of the methods the runner uses. The generated protocol names params per method but
 * has no method→response table, so the pairs are kept here; other methods resolve to `unknown`.
 */
export type ClientResults = {
  initialize: InitializeResponse
  'account/read': GetAccountResponse
  'config/read': ConfigReadResponse
  'model/list': ModelListResponse
  'thread/start': ThreadStartResponse
  'thread/resume': ThreadResumeResponse
  'thread/fork': ThreadForkResponse
  'thread/read': ThreadReadResponse
  'thread/revert': ThreadRevertResponse
  'thread/archive': ThreadArchiveResponse
  'thread/unsubscribe': ThreadUnsubscribeResponse
  'thread/turns/list': ThreadTurnsListResponse
  'thread/items/list': ThreadItemsListResponse
  'turn/start': TurnStartResponse
  'turn/steer': TurnSteerResponse
  'turn/interrupt': TurnInterruptResponse
}

/** The result type of a client→server method (`unknown` when not in {@link ClientResults}). */
export type ResultOf<M extends string> = M extends keyof ClientResults ? ClientResults[M] : unknown

/** Result a client must write back for each server→client request method. */
export type ServerRequestResults = {
  'item/commandExecution/requestApproval': CommandExecutionRequestApprovalResponse
  'item/fileChange/requestApproval': FileChangeRequestApprovalResponse
  'item/tool/requestUserInput': ToolRequestUserInputResponse
  'mcpServer/elicitation/request': McpServerElicitationRequestResponse
  'item/permissions/requestApproval': PermissionsRequestApprovalResponse
  'item/tool/call': DynamicToolCallResponse
  'account/chatgptAuthTokens/refresh': ChatgptAuthTokensRefreshResponse
  'attestation/generate': AttestationGenerateResponse
  'currentTime/read': CurrentTimeReadResponse
  applyPatchApproval: ApplyPatchApprovalResponse
  execCommandApproval: ExecCommandApprovalResponse
}

/** Any result a server-request handler may return. */
export type ServerRequestResult = ServerRequestResults[ServerRequest['method']]

/** A server notification as received: Codex stamps each with `emittedAtMs`. */
export type CodexNotification = ServerNotification & { emittedAtMs?: number }

/** A JSON-RPC error object as Codex writes it (no `jsonrpc` field anywhere on the wire). */
export type RpcErrorBody = { code: number; message: string; data?: unknown }
