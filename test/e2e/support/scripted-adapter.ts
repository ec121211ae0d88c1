/**
 * @module A scripted stand-in for a provider, until the real Codex and Claude adapters land:
 * it implements the adapter interface and plays turns from the message text, so the e2e tests
 * exercise the real runner process and the real worker without a model.
 *   "slow N MS"  N assistant items, one every MS ms, then the turn completes
 *   "hang"       the turn starts and never ends on its own
 *   anything     one streamed reply, "echo: <text>"
 */
import { CODEX_CAPABILITIES, type RuntimeEvent } from '../../../src/contracts/index.ts'
import type { ProviderAdapter, ProviderSession, SessionOptions, TurnStart } from '../../../runner/adapter.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const openSession = async (options: SessionOptions): Promise<ProviderSession> => {
  const emit = (event: Record<string, unknown>) => options.emit(event as RuntimeEvent)
  let current: TurnStart | null = null
  let closed = false
  options.log.outbound({ method: 'initialize' }, 'initialize')

  const complete = (turn: TurnStart, status: 'completed' | 'interrupted') => {
    if (current !== turn) return
    current = null
    emit({ type: 'turn.completed', runId: turn.runId, attemptId: turn.attemptId, nativeTurnId: `turn-${turn.runOrdinal}`, status, failure: null, usage: null, nativeConversationHeadRef: null })
  }

  const item = (turn: TurnStart, id: string, text: string, status: 'running' | 'completed') =>
    emit({ type: 'item.updated', runId: turn.runId, nativeItemId: id, parentNativeItemId: null, status, content: { type: 'assistant_message', text } })

  const play = async (turn: TurnStart) => {
    const [verb, a, b] = turn.message.text.split(' ')
    if (verb === 'hang') return
    if (verb === 'slow') {
      for (let i = 1; i <= Number(a); i++) {
        await sleep(Number(b))
        if (current !== turn || closed) return
        item(turn, `item-${turn.runOrdinal}-${i}`, `step ${i}`, 'completed')
      }
    } else {
      const id = `item-${turn.runOrdinal}-reply`
      const reply = `echo: ${turn.message.text}`
      item(turn, id, '', 'running')
      for (const word of reply.split(/(?= )/)) options.delta(id, word)
      await sleep(60)
      item(turn, id, reply, 'completed')
    }
    complete(turn, 'completed')
  }

  return {
    startTurn: async (turn) => {
      options.log.outbound({ method: 'turn/start', params: { text: turn.message.text } }, 'turn/start')
      current = turn
      emit({ type: 'session.started', provider: 'codex', model: turn.modelSelection.model })
      emit({ type: 'provider-thread.bound', runId: turn.runId, provider: 'codex', nativeThreadId: `scripted-${options.threadId}`, nativeConversationHeadRef: null })
      emit({ type: 'turn.started', runId: turn.runId, attemptId: turn.attemptId, nativeTurnId: `turn-${turn.runOrdinal}` })
      void play(turn)
    },
    steerTurn: async () => undefined,
    interruptTurn: async () => {
      if (current) complete(current, 'interrupted')
    },
    respond: async () => undefined,
    rollback: async () => undefined,
    close: async (reason) => {
      closed = true
      options.log.exit('success')
      emit({ type: 'session.released', provider: 'codex', reason: reason === 'idle_timeout' ? 'idle_timeout' : 'server_shutdown', failure: null })
    },
  }
}

export const scriptedAdapter = (): ProviderAdapter => ({
  provider: 'codex',
  capabilities: CODEX_CAPABILITIES,
  status: async () => ({ provider: 'codex', state: 'ready', version: 'scripted', auth: 'not_required', models: ['scripted'], capabilities: CODEX_CAPABILITIES, message: null, checkedAt: Date.now() }),
  openSession,
})
