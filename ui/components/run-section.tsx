/** @module One run: its status, provider and token usage, its actions, and its items. */
import type { LoomClient } from '../../src/client/index.ts'
import type { Run, ThreadProjection } from '../../src/contracts/index.ts'
import { ACTIVE_RUN_STATUSES } from '../../src/contracts/index.ts'
import { count } from '../format.ts'
import { navigate } from '../route.ts'
import { ItemTree } from './item-tree.tsx'
import type { Act } from './thread-page.tsx'

export const RunSection = ({ run, projection, client, act }: { run: Run; projection: ThreadProjection; client: LoomClient; act: Act }) => {
  const threadId = projection.thread.id
  const items = projection.turnItems.filter((item) => item.runId === run.id)
  const active = ACTIVE_RUN_STATUSES.includes(run.status)
  const anyActive = projection.runs.some((r) => ACTIVE_RUN_STATUSES.includes(r.status) || r.status === 'queued')
  const checkpoint = run.checkpointId ? projection.checkpoints.find((c) => c.id === run.checkpointId) : undefined
  const attempts = projection.attempts.filter((a) => a.runId === run.id).length
  return (
    <article class={`run run-${run.status}`} data-testid="run" data-run-id={run.id} data-status={run.status}>
      <header class="run-header">
        <span>
          Run {run.ordinal} · {run.provider} {run.modelSelection.model} ·{' '}
          <span class={`status status-${run.status}`} data-testid="run-status">
            {run.status.replace('_', ' ')}
          </span>
          {run.queueReason && <span class="muted"> ({run.queueReason.replace(/_/g, ' ')})</span>}
          {attempts > 1 && <span class="muted"> · {attempts} attempts</span>}
          {run.usage && (
            <span class="muted" data-testid="run-usage">
              {' '}
              · {count(run.usage.totalTokens)} tokens
            </span>
          )}
        </span>
        <span class="run-actions">
          {active && (
            <button class="danger" data-testid="stop" onClick={() => void act('Stop', () => client.interrupt(threadId, run.id))}>
              Stop
            </button>
          )}
          {run.status === 'completed' && (
            <button
              data-testid="fork"
              onClick={() =>
                void act('Fork', async () => {
                  const result = await client.fork(threadId, { sourcePoint: { type: 'run', runId: run.id }, title: `${projection.thread.title} (fork)` })
                  if (result.ok) navigate(result.value.threadId)
                  return result
                })
              }
            >
              Fork from here
            </button>
          )}
          {checkpoint?.status === 'ready' && !anyActive && projection.thread.checkpoints !== 'unavailable' && (
            <button
              data-testid="rollback"
              onClick={() => {
                if (confirm(`Roll back to the end of run ${run.ordinal}? Later runs and their file changes are undone.`)) void act('Roll back', () => client.rollback(threadId, checkpoint.id))
              }}
            >
              Roll back to here
            </button>
          )}
        </span>
      </header>
      {run.failure && (
        <p class="error small" data-testid="run-failure">
          {run.failure.class}: {run.failure.message}
        </p>
      )}
      <ItemTree items={items} projection={projection} client={client} act={act} />
    </article>
  )
}
