/**
 * @module One turn item, by kind. Everything a provider produced is shown as text (Preact
 * escapes it): paths, commands and output are data, never markup.
 */
import type { LoomClient } from '../../src/client/index.ts'
import type { ThreadProjection, TurnItem } from '../../src/contracts/index.ts'
import { RequestCard } from './request-card.tsx'
import { DiffToggle } from './diff-toggle.tsx'
import { navigate } from '../route.ts'
import type { Act } from './thread-page.tsx'

type Props = { item: TurnItem; projection: ThreadProjection; client: LoomClient; act: Act }

const streamingText = (projection: ThreadProjection, item: TurnItem, text: string) => {
  const streamed = projection.streaming[item.id]
  return streamed !== undefined && streamed.length > text.length ? streamed : text
}

export const TurnItemView = ({ item, projection, client, act }: Props) => {
  const c = item.content
  const common = { 'data-testid': 'item', 'data-item-id': item.id, 'data-type': c.type, 'data-status': item.status, class: `item item-${c.type} item-${item.status} ${item.visibility === 'inherited' ? 'inherited' : ''}` }
  switch (c.type) {
    case 'user_message':
      return (
        <div {...common}>
          <span class="who">you{c.inputIntent !== 'turn_start' ? ` · ${c.inputIntent.replace(/_/g, ' ')}` : ''}</span>
          <div class="text">{c.text}</div>
        </div>
      )
    case 'assistant_message':
      return (
        <div {...common} data-streaming={String(c.streaming)}>
          <span class="who">agent</span>
          <div class="text">{streamingText(projection, item, c.text)}</div>
        </div>
      )
    case 'reasoning':
      return (
        <details {...common}>
          <summary>Reasoning</summary>
          <div class="text muted">{streamingText(projection, item, c.text)}</div>
        </details>
      )
    case 'command_execution': {
      // While the command runs its output arrives as streaming deltas; `c.output` is still empty.
      const output = streamingText(projection, item, c.output ?? '')
      return (
        <div {...common}>
          <code class="command">$ {c.command}</code>
          {c.exitCode !== null && <span class={`badge ${c.exitCode === 0 ? 'ok' : 'bad'}`} data-testid="exit-code">exit {c.exitCode}</span>}
          {output && <pre class="output" data-testid="command-output">{output}</pre>}
        </div>
      )
    }
    case 'file_change':
      return (
        <div {...common}>
          <span class="who">files</span>
          <ul class="files">
            {c.changes.map((change) => (
              <li key={change.path}>
                <code>{change.path}</code> <span class="muted">{change.kind}</span>{' '}
                {change.additions !== null && <span class="plus">+{change.additions}</span>} {change.deletions !== null && <span class="minus">−{change.deletions}</span>}
              </li>
            ))}
          </ul>
        </div>
      )
    case 'proposed_plan':
      return (
        <div {...common}>
          <span class="who">plan</span>
          <div class="text">{streamingText(projection, item, c.markdown)}</div>
        </div>
      )
    case 'todo_list':
      return (
        <div {...common}>
          <span class="who">to do</span>
          {c.explanation && <p class="muted">{c.explanation}</p>}
          <ul class="todo">
            {c.steps.map((step) => (
              <li key={step.id} class={`todo-${step.status}`}>
                {step.status === 'completed' ? '☑' : step.status === 'running' ? '▶' : '☐'} {step.text}
              </li>
            ))}
          </ul>
        </div>
      )
    case 'approval_request':
    case 'user_input_request': {
      const request = projection.runtimeRequests.find((r) => r.id === c.requestId)
      return <div {...common}>{request ? <RequestCard request={request} client={client} act={act} /> : <span class="muted">request {c.requestId}</span>}</div>
    }
    case 'checkpoint':
      return (
        <div {...common}>
          <span class="muted">
            Checkpoint · {c.files} file{c.files === 1 ? '' : 's'} changed
          </span>{' '}
          <DiffToggle client={client} threadId={projection.thread.id} checkpointId={c.checkpointId} />
        </div>
      )
    case 'handoff':
      return (
        <details {...common}>
          <summary>
            Handoff to {c.toProvider} ({c.strategy.replace(/_/g, ' ')}) from {c.fromProviders.join(', ') || 'this thread'}
          </summary>
          <pre class="output">{c.summary}</pre>
        </details>
      )
    case 'fork': {
      const here = projection.thread.id
      const other = c.targetThreadId === here ? c.sourceThreadId : c.targetThreadId
      return (
        <div {...common}>
          <span class="muted">{c.targetThreadId === here ? 'Forked from ' : 'Forked into '}</span>
          <a
            href={`/t/${encodeURIComponent(other)}`}
            onClick={(e) => {
              e.preventDefault()
              navigate(other)
            }}
          >
            {other}
          </a>
        </div>
      )
    }
    case 'subagent':
      return (
        <div {...common}>
          <span class="who">subagent · {c.provider}</span>
          <div class="text muted">{c.prompt}</div>
          {c.result && <div class="text">{c.result}</div>}
        </div>
      )
    case 'web_search':
      return (
        <div {...common}>
          <span class="who">web search</span> <span class="muted">{c.queries.join(' · ')}</span>
        </div>
      )
    case 'dynamic_tool':
      return (
        <div {...common}>
          <span class="who">tool {c.toolName ?? ''}</span>
          <pre class="output">{c.input}</pre>
          {c.output && <pre class="output">{c.output}</pre>}
        </div>
      )
    case 'error':
      return (
        <div {...common}>
          <span class="error">
            {c.failure.class}: {c.failure.message}
          </span>
        </div>
      )
    case 'run_interrupt_request':
    case 'run_interrupt_result':
      return (
        <div {...common}>
          <span class="muted">{c.message}</span>
        </div>
      )
    case 'generic':
      return (
        <div {...common}>
          <span class="muted">
            {c.nativeType}: {c.summary}
          </span>
        </div>
      )
  }
}
