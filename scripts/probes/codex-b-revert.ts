/** @module Probe (b): `thread/revert` and the `thread/reverted` notification. */
// `thread/revert {threadId, beforeTurnId}` and the `thread/reverted` notification.
// Three turns, revert before turn 2, then look at the response, the notifications, the
// remaining turns, and the history of the next model request. Also: revert of the first turn,
// revert with an unknown turn id, revert while a turn is running, and a restart after revert.
// Run: npx node scripts/probes/codex-b-revert.ts
import { runMain, section, show, type TurnOutcome } from './codex-harness.ts'

const errorOf = (e: unknown) => (e instanceof Error ? { code: (e as { code?: string }).code, rpcCode: (e as { rpcCode?: number }).rpcCode, message: e.message } : e)

runMain(async () => {
  await section('(b) thread/revert before turn 2 of 3', {}, async (probe) => {
    const threadId = await probe.startThread()
    const turns: TurnOutcome[] = []
    for (const text of ['first message', 'second message', 'third message']) turns.push(await probe.runTurn(threadId, text))
    const [t1, t2] = turns.map((t) => t.turnId)
    const from = probe.notifications.length
    const wireFrom = probe.inbound.length
    const reverted = await probe.client.request('thread/revert', { threadId, beforeTurnId: t2 ?? '' })
    await probe.waitFor((n) => n.method === 'thread/reverted', from, 5000)
    show('inbound frames from the revert on (wire order)', probe.inbound.slice(wireFrom))
    show('response keys', Object.keys(reverted))
    show('response', { threadId: reverted.thread.id === threadId, turns: reverted.thread.turns.length, turnsBackwardsCursor: typeof reverted.turnsBackwardsCursor, itemsBackwardsCursor: typeof reverted.itemsBackwardsCursor, status: reverted.thread.status })
    show('notifications after revert', probe.notifications.slice(from).map((n) => `${n.method} ${JSON.stringify(n.params)}`))
    const listed = await probe.client.request('thread/turns/list', { threadId, sortDirection: 'asc' })
    show('thread/turns/list after revert (is t1?)', listed.data.map((t) => t.id === t1))
    const next = await probe.runTurn(threadId, 'message after revert')
    show('next turn status', next.status)
    show('user texts in the next model request', probe.userTextsPerRequest(threadId).at(-1))
    const all = probe.server.requests.last(threadId)
    const body = all?.body as { input?: Array<{ type?: string; role?: string }> }
    show('input item kinds of that request', body.input?.map((i) => `${i.type}:${i.role ?? ''}`))
  })

  await section('(b) thread/revert edge cases', {}, async (probe) => {
    const threadId = await probe.startThread()
    const first = await probe.runTurn(threadId, 'only message')
    show('unknown beforeTurnId', errorOf(await probe.client.request('thread/revert', { threadId, beforeTurnId: 'nope' }).catch((e: unknown) => e)))

    const from = probe.notifications.length
    const { turn } = await probe.client.request('turn/start', { threadId, input: [{ type: 'text', text: '[[slow:20:100]] running', text_elements: [] }] })
    await probe.waitFor((n) => n.method === 'item/agentMessage/delta', from)
    const mid = probe.notifications.length
    const during = await probe.client.request('thread/revert', { threadId, beforeTurnId: first.turnId }).catch((e: unknown) => e)
    show('revert of turn 1 while turn 2 streams', during instanceof Error ? errorOf(during) : { ok: true, turns: (during as { thread: { turns: unknown[] } }).thread.turns.length })
    const running = await probe.finishTurn(turn.id, from)
    await probe.waitFor((n) => n.method === 'thread/reverted', mid, 5000)
    show('the running turn ended as', running.status)
    show('notifications from the revert on', probe.notifications.slice(mid).filter((n) => n.method !== 'item/agentMessage/delta').map((n) => n.method))
    show('turns/list after', (await probe.client.request('thread/turns/list', { threadId })).data.length)
    await probe.runTurn(threadId, 'fresh start')
    show('user texts after reverting everything', probe.userTextsPerRequest(threadId).at(-1))
  })
})
