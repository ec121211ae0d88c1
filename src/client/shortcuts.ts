/** @module Shortcuts over `dispatch` for the commands a UI sends most. */
import type { z } from 'zod'
import type { DispatchMode, ThreadCreate } from '../contracts/commands.ts'
import type { ImageAttachment } from '../contracts/entities/common.ts'
import type { SourcePoint } from '../contracts/entities/lineage.ts'
import type { Answers, Decision } from '../contracts/entities/request.ts'
import type { ModelSelection } from '../contracts/modes.ts'
import type { Result } from './result.ts'
import type { DispatchInput, Dispatched } from './client.ts'

type Dispatch = (command: DispatchInput) => Promise<Result<Dispatched>>
type CreateInput = Omit<z.input<typeof ThreadCreate>, 'type' | 'commandId' | 'threadId'> & { threadId?: string; commandId?: string }

export type CommandShortcuts = {
  /** Creates a thread (id generated when absent); the answer carries its `threadId`. */
  createThread(input: CreateInput): Promise<Result<Dispatched & { threadId: string }>>
  sendMessage(
    threadId: string,
    text: string,
    opts?: { dispatchMode?: DispatchMode; modelSelection?: ModelSelection; attachments?: ImageAttachment[]; commandId?: string },
  ): Promise<Result<Dispatched>>
  interrupt(threadId: string, runId: string): Promise<Result<Dispatched>>
  respond(threadId: string, requestId: string, answer: { decision: Decision } | { answers: Answers }): Promise<Result<Dispatched>>
  rollback(threadId: string, checkpointId: string): Promise<Result<Dispatched>>
  fork(threadId: string, opts: { targetThreadId?: string; sourcePoint: SourcePoint; title?: string }): Promise<Result<Dispatched & { threadId: string }>>
}

export const commandShortcuts = (dispatch: Dispatch, newId: () => string): CommandShortcuts => ({
  createThread: async (input) => {
    const threadId = input.threadId ?? `thread-${newId()}`
    const result = await dispatch({ ...input, type: 'thread.create', threadId })
    return result.ok ? { ok: true, value: { ...result.value, threadId } } : result
  },
  sendMessage: (threadId, text, opts = {}) => dispatch({ ...opts, type: 'message.dispatch', threadId, text }),
  interrupt: (threadId, runId) => dispatch({ type: 'run.interrupt', threadId, runId }),
  respond: (threadId, requestId, answer) => dispatch({ ...answer, type: 'runtime-request.respond', threadId, requestId }),
  rollback: (threadId, checkpointId) => dispatch({ type: 'checkpoint.rollback', threadId, checkpointId }),
  fork: async (threadId, opts) => {
    const targetThreadId = opts.targetThreadId ?? `thread-${newId()}`
    const result = await dispatch({ ...opts, type: 'thread.fork', threadId, targetThreadId })
    return result.ok ? { ok: true, value: { ...result.value, threadId: targetThreadId } } : result
  },
})
