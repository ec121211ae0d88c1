/**
 * @module `npm run dev -- --fake-models`: a demo with no account. Both fake model servers
 * (fixtures/fake-models) start on 127.0.0.1, and the runner's agents are pointed at them, so a
 * Codex or Claude turn runs for real (the real binaries) against scripted replies.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fakeAnthropicModel, fakeOpenAIModel, fakeRunnerEnv, startFakeAnthropic, startFakeOpenAI } from '../fixtures/fake-models/index.ts'

export type FakeModels = { env: Record<string, string>; models: { codex: string; claude: string }; close: () => Promise<void> }

export const startFakeModels = async (stateDir: string): Promise<FakeModels> => {
  const openai = await startFakeOpenAI({ paceMs: 30 })
  const anthropic = await startFakeAnthropic({ paceMs: 30 })
  mkdirSync(stateDir, { recursive: true })
  return {
    env: fakeRunnerEnv({ openai: openai.url, anthropic: anthropic.url, catalogPath: join(stateDir, 'fake-codex-models.json'), key: 'fake-key' }),
    models: { codex: fakeOpenAIModel, claude: fakeAnthropicModel },
    close: async () => {
      await Promise.all([openai.close(), anthropic.close()])
    },
  }
}
