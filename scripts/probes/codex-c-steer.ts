/** @module Probe (c): `turn/steer` with right, wrong and stale `expectedTurnId`. */
// `turn/steer {threadId, expectedTurnId, input}` during a slow streaming turn, during a
// running command, with a wrong expectedTurnId, and with no active turn. Observes the response,
// whether the stream is cut, how many model requests and turns follow, and the history the
// model sees after the steer.
// Run: npx node scripts/probes/codex-c-steer.ts
import { runMain, section, show, type Probe } from './codex-harness.ts'

const errorOf = (e: unknown) => (e instanceof Error ? { code: (e as { code?: string }).code, rpcCode: (e as { rpcCode?: number }).rpcCode, message: e.message } : e)

const text = (t: string) => ({ type: 'text' as const, text: t, text_elements: [] })

/** Starts a turn, waits until `ready` matches, steers it, and reports what happened. */
async function steerDuring(probe: Probe, threadId: string, prompt: string, ready: Parameters<Probe['waitFor']>[0]) {
  const from = probe.notifications.length
  const callsBefore = probe.server.requests.modelCalls(threadId).length
  const { turn } = await probe.client.request('turn/start', { threadId, input: [text(prompt)] })
  await probe.waitFor(ready, from)
  const steeredAt = Date.now()
  const steered = await probe.client.request('turn/steer', { threadId, expectedTurnId: turn.id, input: [text('STEER please also say hi')] })
  show('steer response', { ...steered, sameTurn: steered.turnId === turn.id })
  const outcome = await probe.finishTurn(turn.id, from)
  show('turn status / ms from steer to completed', [outcome.status, Date.now() - steeredAt])
  show('turn/started count in window', outcome.notifications.filter((n) => n.method === 'turn/started').length)
  show('completed items', outcome.items.map((i) => `${String(i.type)}${i.type === 'agentMessage' ? `(${String(i.text).split(' ').length} words)` : ''}${i.type === 'userMessage' ? `(${JSON.stringify((i.content as Array<{ text?: string }>)[0]?.text)})` : ''}`))
  const started = outcome.notifications.filter((n) => n.method === 'item/started' && n.params.item.type === 'agentMessage')
  show('agentMessage items started / completed', [started.length, outcome.items.filter((i) => i.type === 'agentMessage').length])
  const calls = probe.server.requests.modelCalls(threadId).slice(callsBefore)
  show('model requests in the turn', calls.length)
  show('user texts of each request', calls.map((c) => (c.view?.history ?? []).filter((h) => h.role === 'user' && h.type === 'text' && !h.text.startsWith('<')).map((h) => h.text)))
  show('last request tail', calls.at(-1)?.view?.history.slice(-3).map((h) => `${h.role}/${h.type}: ${h.text.slice(0, 60)}`))
  return turn.id
}

runMain(async () => {
  await section('(c) turn/steer during a slow streaming reply', {}, async (probe) => {
    const threadId = await probe.startThread()
    let deltas = 0
    await steerDuring(probe, threadId, '[[slow:20:100]] stream slowly', (n) => n.method === 'item/agentMessage/delta' && ++deltas >= 3)
  })

  await section('(c) turn/steer while a command runs', { sandboxMode: 'workspace-write' }, async (probe) => {
    const threadId = await probe.startThread()
    await steerDuring(probe, threadId, '[[shell:sleep 1; echo slept]] run it', (n) => n.method === 'item/started' && n.params.item.type === 'commandExecution')
  })

  await section('(c) turn/steer with a wrong or stale expectedTurnId', {}, async (probe) => {
    const threadId = await probe.startThread()
    const done = await probe.runTurn(threadId, 'a finished turn')
    show('no active turn', errorOf(await probe.client.request('turn/steer', { threadId, expectedTurnId: done.turnId, input: [text('late')] }).catch((e: unknown) => e)))
    const from = probe.notifications.length
    const { turn } = await probe.client.request('turn/start', { threadId, input: [text('[[slow:20:100]] running')] })
    await probe.waitFor((n) => n.method === 'item/agentMessage/delta', from)
    show('wrong id while running', errorOf(await probe.client.request('turn/steer', { threadId, expectedTurnId: 'not-a-turn', input: [text('x')] }).catch((e: unknown) => e)))
    show('previous turn id while running', errorOf(await probe.client.request('turn/steer', { threadId, expectedTurnId: done.turnId, input: [text('x')] }).catch((e: unknown) => e)))
    await probe.client.request('turn/interrupt', { threadId, turnId: turn.id })
    show('running turn after interrupt', (await probe.finishTurn(turn.id, from)).status)
  })
})
