/** @module Pasting a token, for a browser that was not opened from the link `npm run dev` prints. */
import { useState } from 'preact/hooks'
import { sessionOf, type Session } from '../session.ts'

export const SignIn = ({ onSession }: { onSession: (session: Session) => void }) => {
  const [token, setToken] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const submit = (event: Event) => {
    event.preventDefault()
    const session = sessionOf(token)
    if ('problem' in session) setProblem(session.problem)
    else onSession(session)
  }
  return (
    <form class="sign-in" onSubmit={submit}>
      <h1>Loom</h1>
      <p>Paste a token with the read and operate scopes (`npm run dev` prints one, `npm run token` mints more).</p>
      <textarea data-testid="token" rows={4} value={token} onInput={(e) => setToken((e.target as HTMLTextAreaElement).value)} />
      {problem && <p class="error">{problem}</p>}
      <button class="primary" type="submit">
        Sign in
      </button>
    </form>
  )
}
