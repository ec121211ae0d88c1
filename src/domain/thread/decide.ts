/** @module `decide(state, command, ctx)`: a user command becomes domain events and effects, or a typed rejection. */
import { loomError, type Command } from '../../contracts/index.ts'
import { Draft, accepted, rejected, type Decision } from './draft.ts'
import type { ThreadState } from './state.ts'
import type { DecideContext } from './context.ts'
import { decideCreate, decideThreadChange } from './commands/thread.ts'
import { decideDispatch } from './commands/dispatch.ts'
import { decideInterrupt, decidePromote, decideReorder } from './commands/runs.ts'
import { decideRespond } from './commands/respond.ts'
import { decideFork, decideMergeBack, decideRollback } from './commands/lineage.ts'

/** Commands an archived thread still takes. */
const ALLOWED_WHEN_ARCHIVED: ReadonlySet<Command['type']> = new Set(['thread.unarchive', 'thread.delete', 'thread.metadata.update'])

export const decide = (state: ThreadState, command: Command, ctx: DecideContext, sequence: number): Decision => {
  if (command.expectedSequence !== undefined && command.expectedSequence !== sequence) {
    return rejected(
      loomError('sequence_conflict', `expected sequence ${command.expectedSequence}, the thread is at ${sequence}`, {
        expectedSequence: command.expectedSequence,
        actualSequence: sequence,
      }),
    )
  }
  const draft = new Draft(state)
  if (command.type === 'thread.create') return finish(draft, decideCreate(draft, command, ctx))
  const thread = state.thread
  if (thread === null || thread.deletedAt !== null) {
    return rejected(loomError('thread_not_found', `thread ${command.threadId} does not exist`))
  }
  if (thread.archivedAt !== null && !ALLOWED_WHEN_ARCHIVED.has(command.type)) {
    return rejected(loomError('thread_archived', `thread ${thread.id} is archived; unarchive it first`))
  }
  switch (command.type) {
    case 'message.dispatch':
      return finish(draft, decideDispatch(draft, command, ctx))
    case 'run.interrupt':
      return finish(draft, decideInterrupt(draft, command, ctx))
    case 'queued-message.promote-to-steer':
      return finish(draft, decidePromote(draft, command, ctx))
    case 'queued-run.reorder':
      return finish(draft, decideReorder(draft, command))
    case 'runtime-request.respond':
      return finish(draft, decideRespond(draft, command, ctx))
    case 'checkpoint.rollback':
      return finish(draft, decideRollback(draft, command, ctx))
    case 'thread.fork':
      return finish(draft, decideFork(draft, command, ctx))
    case 'thread.merge_back':
      return finish(draft, decideMergeBack(draft, command, ctx))
    case 'thread.model-selection.set':
    case 'thread.runtime-mode.set':
    case 'thread.interaction-mode.set':
    case 'thread.metadata.update':
    case 'thread.archive':
    case 'thread.unarchive':
    case 'thread.delete':
      return finish(draft, decideThreadChange(draft, command, ctx))
    default: {
      const never: never = command
      throw new Error(`unhandled command ${String(never)}`)
    }
  }
}

const finish = (draft: Draft, refusal: Decision | null): Decision => refusal ?? accepted(draft)
