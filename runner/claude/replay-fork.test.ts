/**
 * @module The Claude replay transport at the `query()` / `forkSession` boundary on the recorded
 * thread_fork_native transcript: the recorded `forkSession()` form replays through the
 * stand-in, and a live client that forks with one `query.open {resume, forkSession,
 * resumeSessionAt}` passes by the fork-to-resume-fork equivalence, in compatible mode.
 */
import type { Options, SDKMessage, SDKUserMessage } from '@anthropic-ai/claude-agent-sdk'
import { describe, expect, it } from 'vitest'
import { rec, str } from './json.ts'
import { PromptStream } from './prompt-stream.ts'
import { replayQuery, type Replay } from './replay-query.ts'
import { claudeTranscript } from './testing.ts'

const transcript = claudeTranscript('thread_fork_native')
const recordedFork = rec(transcript.entries.flatMap((e) => (e.type === 'expect_outbound' && rec(e.frame).type === 'session.fork' ? [e.frame] : []))[0])
const upTo = str(rec(recordedFork.options).upToMessageId) ?? ''

const user = (text: string) => ({ type: 'user', message: { role: 'user', content: text }, parent_tool_use_id: null }) as unknown as SDKUserMessage

/** One query: offers `text`, reads until the result, then ends the prompt; returns the messages. */
const turn = async (replay: Replay, options: Options, text: string): Promise<SDKMessage[]> => {
  const prompt = new PromptStream()
  const query = replay.queryFn({ prompt, options })
  prompt.push(user(text))
  const seen: SDKMessage[] = []
  for await (const message of query) {
    seen.push(message)
    if (message.type === 'result') prompt.end()
  }
  return seen
}

const initSession = (messages: SDKMessage[]) => str(rec(messages.find((m) => m.type === 'system' && rec(m).subtype === 'init')).session_id)

describe('thread_fork_native at the query() / forkSession boundary', () => {
  it('replays the recorded forkSession() form through the stand-in', async () => {
    const replay = replayQuery(transcript, { mode: 'compatible' })
    const first = await turn(replay, { sessionId: 'live-source' }, 'source')
    expect(initSession(first)).toBe('live-source')
    const forked = await replay.forkSession('live-source', { upToMessageId: upTo })
    expect(forked.sessionId).toBe('7e7ad6ec-db4a-4510-85ff-59df35cf7fad')
    const second = await turn(replay, { resume: forked.sessionId }, 'fork')
    expect(second.at(-1)).toMatchObject({ type: 'result', result: 'fork native ok' })
    replay.assertComplete()
  })

  it('accepts query.open {resume, forkSession, resumeSessionAt} for session.fork + session.forked + query.open', async () => {
    const replay = replayQuery(transcript, { mode: 'compatible' })
    await turn(replay, { sessionId: 'live-source' }, 'source')
    const second = await turn(replay, { resume: 'live-source', forkSession: true, resumeSessionAt: upTo }, 'fork')
    // The forked id arrives in the SDK messages, as with the live protocol.
    expect(initSession(second)).toBe('7e7ad6ec-db4a-4510-85ff-59df35cf7fad')
    expect(replay.cursor.history().map((e) => (e.type === 'runtime_exit' ? undefined : e.label))).toContain('fork-to-resume-fork')
    replay.assertComplete()
  })

  it('refuses a fork query that resumes at another message', async () => {
    const replay = replayQuery(transcript, { mode: 'compatible' })
    await turn(replay, { sessionId: 'live-source' }, 'source')
    await expect(turn(replay, { resume: 'live-source', forkSession: true, resumeSessionAt: 'elsewhere' }, 'fork')).rejects.toMatchObject({ kind: 'UnexpectedOutbound' })
    expect(() => replay.assertComplete()).toThrow(/resumeSessionAt elsewhere/)
  })
})
