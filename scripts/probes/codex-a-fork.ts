/** @module Probe (a): `thread/fork` with `lastTurnId`, `beforeTurnId` and none. */
// Compares `lastTurnId`, no turn id and the experimental `beforeTurnId`: three turns on a
// source thread, fork at turn 2, then run a turn on the fork and look at the history the fake
// model receives.
// Run: npx node scripts/probes/codex-a-fork.ts
import { runMain, section, show, type TurnOutcome } from './codex-harness.ts'

runMain(async () => {
  await section('(a) thread/fork', {}, async (probe) => {
    const source = await probe.startThread()
    const turns: TurnOutcome[] = []
    for (const text of ['first message', 'second message', 'third message']) turns.push(await probe.runTurn(source, text))
    show('source turn statuses', turns.map((t) => t.status))
    const [t1, t2] = turns.map((t) => t.turnId)

    for (const variant of [
      { label: 'lastTurnId = turn 2', params: { lastTurnId: t2 } },
      { label: 'no turn id', params: {} },
      { label: 'beforeTurnId = turn 2 (experimental)', params: { beforeTurnId: t2 } },
    ]) {
      console.log(`\n  -- fork with ${variant.label}`)
      const from = probe.notifications.length
      const fork = await probe.client.request('thread/fork', { threadId: source, ...variant.params })
      const { thread } = fork
      show('response keys', Object.keys(fork))
      show('thread keys', Object.keys(thread))
      show('thread', { id: thread.id, forkedFromId: thread.forkedFromId, status: thread.status, turnCount: thread.turns.length })
      show(
        'response turns',
        thread.turns.map((t) => ({ id: t.id === t1 ? 't1' : t.id === t2 ? 't2' : t.id === turns[2]?.turnId ? 't3' : 'new', status: t.status, items: t.items.map((i) => i.type) })),
      )
      show('notifications', probe.notifications.slice(from).map((n) => (n.method === 'deprecationNotice' ? `deprecationNotice: ${n.params.summary}` : n.method)))
      await probe.runTurn(thread.id, 'message on the fork')
      show('thread/started seen for the fork (by the end of its first turn)', probe.notifications.some((n) => n.method === 'thread/started' && n.params.thread.id === thread.id))
      show('user texts in the fork’s model request', probe.userTextsPerRequest(thread.id).at(-1))
    }
    const lean = await probe.client.request('thread/fork', { threadId: source, lastTurnId: t1, excludeTurns: true })
    show('fork with excludeTurns: true → turns in response', lean.thread.turns.length)
    show('thread/turns/list on it', (await probe.client.request('thread/turns/list', { threadId: lean.thread.id })).data.map((t) => t.id === t1))
    await probe.runTurn(source, 'fourth message on the source')
    show('source still has full history', probe.userTextsPerRequest(source).at(-1))
  })

  await section('(a) thread/fork with a bad lastTurnId', {}, async (probe) => {
    const source = await probe.startThread()
    await probe.runTurn(source, 'only message')
    const error = await probe.client.request('thread/fork', { threadId: source, lastTurnId: 'no-such-turn' }).catch((e: unknown) => e)
    show('error', error instanceof Error ? { ...error, message: error.message } : error)
  })
})
