/** @module An approval or a question the agent is waiting on, with the buttons that answer it. */
import { useState } from 'preact/hooks'
import type { LoomClient } from '../../src/client/index.ts'
import type { Answers, Decision, RuntimeRequest } from '../../src/contracts/index.ts'
import type { Act } from './thread-page.tsx'

const DECISION_LABEL: Record<Decision, string> = { accept: 'Accept', acceptForSession: 'Accept for session', decline: 'Decline', cancel: 'Cancel' }

const detailLines = (detail: RuntimeRequest['detail']): string[] =>
  detail ? Object.entries(detail).map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`) : []

export const RequestCard = ({ request, client, act }: { request: RuntimeRequest; client: LoomClient; act: Act }) => {
  const pending = request.status === 'pending'
  // From the click until the answer comes back in the projection: a second click could only be refused (409).
  const [answering, setAnswering] = useState(false)
  const answerable = pending && request.responseCapability.type === 'live'
  const answer = (label: string, response: { decision: Decision } | { answers: Answers }) => {
    setAnswering(true)
    void act(label, () => client.respond(request.threadId, request.id, response)).then((ok) => {
      if (!ok) setAnswering(false)
    })
  }
  return (
    <div class={`request request-${request.status}`} data-testid="request" data-request-id={request.id} data-status={request.status}>
      <strong>{request.kind === 'user_input' ? 'Question' : `Approval: ${request.kind}`}</strong>
      {request.prompt && <div class="text">{request.prompt}</div>}
      {detailLines(request.detail).map((line) => (
        <code key={line} class="detail">
          {line}
        </code>
      ))}
      {request.questions ? (
        <Questions request={request} disabled={!answerable || answering} onAnswer={(answers) => answer('Answer', { answers })} />
      ) : (
        answerable && (
          <div class="actions">
            {request.availableDecisions.map((decision) => (
              <button
                key={decision}
                class={decision === 'accept' ? 'primary' : decision === 'decline' ? 'danger' : ''}
                data-testid={`decision-${decision}`}
                disabled={answering}
                onClick={() => answer(DECISION_LABEL[decision], { decision })}
              >
                {DECISION_LABEL[decision]}
              </button>
            ))}
          </div>
        )
      )}
      {request.response && (
        <div class="muted small" data-testid="request-response">
          {request.response.decision ? DECISION_LABEL[request.response.decision] : 'answered'} by {request.response.by}
        </div>
      )}
      {pending && request.responseCapability.type === 'not_resumable' && (
        <div class="muted small">Can no longer be answered: {request.responseCapability.reason.replace(/_/g, ' ')}</div>
      )}
      {request.status === 'expired' && <div class="muted small">Expired without an answer.</div>}
    </div>
  )
}

const Questions = ({ request, disabled, onAnswer }: { request: RuntimeRequest; disabled: boolean; onAnswer: (answers: Answers) => void }) => {
  const [answers, setAnswers] = useState<Answers>({})
  const set = (id: string, values: string[]) => setAnswers((a) => ({ ...a, [id]: values }))
  return (
    <form
      class="questions"
      onSubmit={(e) => {
        e.preventDefault()
        onAnswer(answers)
      }}
    >
      {(request.questions ?? []).map((q) => (
        <fieldset key={q.id} disabled={disabled}>
          <legend>{q.header ?? q.question}</legend>
          {q.header && <p>{q.question}</p>}
          {q.options.map((option) => (
            <label key={option.label} class="option">
              <input type="radio" name={`${request.id}-${q.id}`} checked={answers[q.id]?.[0] === option.label} onChange={() => set(q.id, [option.label])} /> {option.label}
              {option.description && <span class="muted small"> — {option.description}</span>}
            </label>
          ))}
          {q.allowsFreeText && <input placeholder="Your answer" value={answers[q.id]?.[0] ?? ''} onInput={(e) => set(q.id, [(e.target as HTMLInputElement).value])} />}
        </fieldset>
      ))}
      {!disabled && (
        <button class="primary" type="submit" data-testid="answer">
          Answer
        </button>
      )}
    </form>
  )
}
