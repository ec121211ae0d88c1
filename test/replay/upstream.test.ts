/**
 * `simple` and `multi_turn` of the upstream corpus, Codex and Claude, through the whole system:
 * the bundled worker in Miniflare, the real runner and adapter in-process with only the provider
 * boundary replayed, commands over HTTP, the projection as a WebSocket subscriber saw it.
 */
import { describe, it } from 'vitest'
import { replayThroughSystem } from '../../scripts/replay/harness.ts'
import { corpusTranscript } from './support/corpus.ts'
import { expectReplayed } from './support/expect-thread.ts'

const SIMPLE = { codex: 'Respond with the following text: fixture simple ok', claude: 'Respond with the following text: fixture simple ok' }

describe.each(['codex', 'claude'] as const)('%s upstream corpus through the whole system', (provider) => {
  it('simple: one completed run, the user message then the answer', async () => {
    const r = await replayThroughSystem(corpusTranscript('simple', provider))
    expectReplayed(r, [{ status: 'completed', user: SIMPLE[provider], assistant: 'fixture simple ok' }])
  })

  it('multi_turn: two completed runs in order, each with its own message and answer', async () => {
    const r = await replayThroughSystem(corpusTranscript('multi_turn', provider))
    expectReplayed(r, [
      { status: 'completed', user: 'Respond with exactly: first fixture turn complete', assistant: 'first fixture turn complete' },
      { status: 'completed', user: 'Respond with exactly: second fixture turn complete', assistant: 'second fixture turn complete' },
    ])
  })
})
