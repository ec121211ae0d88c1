/** @module One thread: its header and settings, its runs and items as they stream, the composer. */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { LoomClient, Result } from '../../src/client/index.ts'
import type { ThreadProjection } from '../../src/contracts/index.ts'
import { ACTIVE_RUN_STATUSES } from '../../src/contracts/index.ts'
import { useThread } from '../state/use-thread.ts'
import { useProviders } from '../state/use-providers.ts'
import { ModelPicker } from './model-picker.tsx'
import { RuntimeModeSelect } from './runtime-mode-select.tsx'
import { RunSection } from './run-section.tsx'
import { Composer } from './composer.tsx'
import { ItemTree } from './item-tree.tsx'
import { navigate } from '../route.ts'

export type Act = (label: string, action: () => Promise<Result<unknown>>) => Promise<boolean>

export const ThreadPage = ({ client, threadId, workspaceId }: { client: LoomClient; threadId: string; workspaceId: string }) => {
  const { projection, error } = useThread(client, threadId)
  const choices = useProviders(client, workspaceId)
  const [actionError, setActionError] = useState<string | null>(null)
  const act: Act = async (label, action) => {
    const result = await action()
    setActionError(result.ok ? null : `${label}: ${result.error.message} (${result.error.code})`)
    return result.ok
  }
  if (!projection) return <div class="empty">{error ?? 'Loading…'}</div>
  const { thread } = projection
  const active = projection.runs.find((r) => ACTIVE_RUN_STATUSES.includes(r.status)) ?? null
  const parent = thread.lineage.parentThreadId
  return (
    <section class="thread" data-testid="thread" data-thread-id={thread.id} data-sequence={projection.sequence}>
      <header class="thread-header">
        <h2 data-testid="thread-title">{thread.title}</h2>
        <div class="controls">
          <ModelPicker
            value={thread.modelSelection}
            choices={choices}
            onChange={(modelSelection) => void act('Switch model', () => client.dispatch({ type: 'thread.model-selection.set', threadId, modelSelection }))}
          />
          <RuntimeModeSelect value={thread.runtimeMode} onChange={(runtimeMode) => void act('Runtime mode', () => client.dispatch({ type: 'thread.runtime-mode.set', threadId, runtimeMode }))} />
          <label class="small">
            <input
              type="checkbox"
              checked={thread.interactionMode === 'plan'}
              onChange={(e) =>
                void act('Plan mode', () =>
                  client.dispatch({ type: 'thread.interaction-mode.set', threadId, interactionMode: (e.target as HTMLInputElement).checked ? 'plan' : 'default' }),
                )
              }
            />{' '}
            plan first
          </label>
          {parent && (
            <span class="small">
              forked from{' '}
              <a
                href={`/t/${encodeURIComponent(parent)}`}
                onClick={(e) => {
                  e.preventDefault()
                  navigate(parent)
                }}
              >
                {parent}
              </a>{' '}
              <button data-testid="merge-back" onClick={() => void act('Merge back', () => client.dispatch({ type: 'thread.merge_back', threadId, targetThreadId: parent }))}>
                Merge back
              </button>
            </span>
          )}
        </div>
        {thread.checkpoints === 'unavailable' && <p class="muted small">This workspace is not a git repository: checkpoints, rollback and file forks are unavailable.</p>}
      </header>
      {error && (
        // The subscription ended (token expired or revoked, thread gone): what is shown is no longer live.
        <p class="error" data-testid="thread-error">
          No longer live: {error}
        </p>
      )}
      {actionError && (
        <p class="error" data-testid="action-error">
          {actionError}
        </p>
      )}
      <Conversation client={client} projection={projection} act={act} />
      <Composer client={client} threadId={threadId} activeRun={active} act={act} />
    </section>
  )
}

const Conversation = ({ client, projection, act }: { client: LoomClient; projection: ThreadProjection; act: Act }) => {
  const end = useRef<HTMLDivElement>(null)
  const streamed = Object.values(projection.streaming).reduce((n, text) => n + text.length, 0)
  // Follow the conversation as it grows, unless the reader has scrolled up to look at something.
  useEffect(() => {
    const main = end.current?.closest('main')
    if (main && main.scrollHeight - main.scrollTop - main.clientHeight < 240) end.current?.scrollIntoView({ block: 'end' })
  }, [projection.sequence, streamed])
  const runs = [...projection.runs].sort((a, b) => a.ordinal - b.ordinal)
  const before = projection.turnItems.filter((item) => item.runId === null || !runs.some((r) => r.id === item.runId))
  return (
    <div class="conversation" data-testid="conversation">
      <ItemTree items={before} projection={projection} client={client} act={act} />
      {runs.map((run) => (
        <RunSection key={run.id} run={run} projection={projection} client={client} act={act} />
      ))}
      <div ref={end} />
    </div>
  )
}
