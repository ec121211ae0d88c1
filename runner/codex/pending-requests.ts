/**
 * @module The runtime requests a session has open. Codex resolves an answered request with
 * `serverRequest/resolved`, but sends nothing for the requests of a turn that ends (interrupt,
 * failure): those are closed here, so no request stays pending in Loom forever.
 */
import type { RunId, RuntimeEvent } from '../../src/contracts/index.ts'
import type { RequestId as NativeRpcId } from './protocol.ts'

type CloseReason = Extract<RuntimeEvent, { type: 'request.closed' }>['reason']

/** One request Loom is asked to answer. */
export type PendingRequest = {
  nativeRequestId: string
  rpcId: NativeRpcId
  runId: RunId
  threadId: string
  turnId: string | null
  answered: boolean
}

/** Loom's id of a Codex request: rpc ids restart at 0 in every process, turn ids do not. */
export const nativeRequestIdOf = (turnId: string | null, rpcId: NativeRpcId, connectionSerial: number): string =>
  `${turnId ?? `process-${connectionSerial}`}/${String(rpcId)}`

export class PendingRequests {
  readonly #open = new Map<string, PendingRequest>()
  readonly #emit: (event: RuntimeEvent) => void

  constructor(emit: (event: RuntimeEvent) => void) {
    this.#emit = emit
  }

  add(request: PendingRequest): void {
    this.#open.set(request.nativeRequestId, request)
  }

  get(nativeRequestId: string): PendingRequest | undefined {
    return this.#open.get(nativeRequestId)
  }

  markAnswered(nativeRequestId: string): void {
    const request = this.#open.get(nativeRequestId)
    if (request) request.answered = true
  }

  /** `serverRequest/resolved`: Codex is done with the request (answered by us, or on its own). */
  resolved(threadId: string, rpcId: NativeRpcId): void {
    for (const request of this.#open.values()) {
      if (request.threadId === threadId && request.rpcId === rpcId) {
        this.#close(request, 'resolved', request.answered ? 'answered' : 'provider')
        return
      }
    }
  }

  /**
   * Closes the requests of a turn that ended (`threadId` + `turnId`; every turn of the thread when
   * `turnId` is null): answered ones as resolved, the others cancelled with `reason`.
   */
  closeTurn(threadId: string, turnId: string | null, reason: Exclude<CloseReason, null | 'answered' | 'provider'>): void {
    for (const request of [...this.#open.values()]) {
      if (request.threadId !== threadId || (turnId !== null && request.turnId !== null && request.turnId !== turnId)) continue
      if (request.answered) this.#close(request, 'resolved', 'answered')
      else this.#close(request, 'cancelled', reason)
    }
  }

  /** Closes everything (the process died). */
  closeAll(): void {
    for (const request of [...this.#open.values()]) this.#close(request, request.answered ? 'resolved' : 'cancelled', request.answered ? 'answered' : 'turn_ended')
  }

  #close(request: PendingRequest, status: 'resolved' | 'cancelled', reason: CloseReason): void {
    this.#open.delete(request.nativeRequestId)
    this.#emit({ type: 'request.closed', nativeRequestId: request.nativeRequestId, status, reason })
  }
}
