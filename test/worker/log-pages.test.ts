import { describe, expect, it } from 'vitest'
import { api, dispatch } from './helpers.ts'
import { assistantItem, runnerThread } from './runner-helpers.ts'
import { sqlRows } from './storage-helpers.ts'

/**
 * The log keeps one row per commit (worker/store/thread-schema.ts, `log`): a runner batch of
 * ten items is one row of thirty events. Reading pages must still cut at any sequence, inside
 * a row as well as between rows.
 */
describe('the log, one row per commit', () => {
  it('should page events from any sequence with any limit, inside and across commit rows', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'items, please' })
    const start = await link.effect('turn.start')
    await link.startTurn(start)
    const items = Array.from({ length: 10 }, (_, i) => assistantItem(start.body.runId, `page-item-${i}`, 'completed', `item ${i}`))
    await link.send(items)
    await dispatch(tok, { type: 'thread.metadata.update', threadId, title: 'after the batch' })
    runner.close()

    const all = (await api(`/v1/threads/${threadId}/events?limit=1000`, { token: tok })).body.events as Array<{ sequence: number; eventId: string; event: { type: string } }>
    const last = all.length
    expect(all.map((e) => e.sequence)).toEqual(Array.from({ length: last }, (_, i) => i + 1))
    expect(all.at(-1)?.event.type).toBe('thread.updated')
    expect(all.at(-1)?.eventId).toBe(`event:${threadId}:${last}`)

    const rows = await sqlRows<{ first_sequence: number; last_sequence: number }>(threadId, 'SELECT first_sequence, last_sequence FROM log ORDER BY first_sequence')
    expect(rows.length).toBeLessThan(last)
    // Rows tile the sequence with no gap or overlap, and the batch is one row of 30 events.
    rows.forEach((row, i) => expect(row.first_sequence).toBe(i === 0 ? 1 : rows[i - 1]!.last_sequence + 1))
    expect(rows.at(-1)?.last_sequence).toBe(last)
    expect(rows.some((row) => row.last_sequence - row.first_sequence + 1 === 30)).toBe(true)

    for (const limit of [1, 7, 1000]) {
      for (let after = 0; after <= last; after++) {
        const page = (await api(`/v1/threads/${threadId}/events?after=${after}&limit=${limit}`, { token: tok })).body.events
        expect(page).toEqual(all.slice(after, after + limit))
      }
    }

    // The view keeps the per-event shape for SQL readers.
    const view = await sqlRows<{ sequence: number; event_id: string; type: string; payload: string }>(threadId, 'SELECT sequence, event_id, type, payload FROM events ORDER BY sequence')
    expect(view.map((v) => ({ sequence: v.sequence, eventId: v.event_id, type: v.type, payload: JSON.parse(v.payload) }))).toEqual(
      all.map((e) => ({ sequence: e.sequence, eventId: e.eventId, type: e.event.type, payload: (e.event as unknown as { payload: unknown }).payload })),
    )
  })

  it('should split a commit of large events over several rows under the row limit, and read it back whole', async () => {
    const { tok, threadId, link, runner } = await runnerThread()
    await dispatch(tok, { type: 'message.dispatch', threadId, text: 'long items, please' })
    const start = await link.effect('turn.start')
    await link.startTurn(start)
    // Six items of 300,000 characters (three bytes each in UTF-8): one row would be several MB.
    const text = (i: number) => `${i}`.padEnd(300_000, 'é')
    const items = Array.from({ length: 6 }, (_, i) => assistantItem(start.body.runId, `long-item-${i}`, 'completed', text(i)))
    await link.send(items)
    runner.close()

    const rows = await sqlRows<{ first_sequence: number; last_sequence: number; size: number }>(threadId, 'SELECT first_sequence, last_sequence, length(CAST(events AS BLOB)) AS size FROM log ORDER BY first_sequence')
    rows.forEach((row, i) => expect(row.first_sequence).toBe(i === 0 ? 1 : rows[i - 1]!.last_sequence + 1))
    expect(Math.max(...rows.map((r) => r.size))).toBeLessThan(2_000_000)
    const all = (await api(`/v1/threads/${threadId}/events?limit=1000`, { token: tok })).body.events as Array<{ sequence: number; event: { type: string; payload: { content?: { text?: string } } } }>
    expect(all.map((e) => e.sequence)).toEqual(Array.from({ length: all.length }, (_, i) => i + 1))
    const texts = all.map((e) => e.event.payload.content?.text).filter((t): t is string => typeof t === 'string' && t.length > 1000)
    expect(texts.map((t) => t[0])).toEqual(['0', '1', '2', '3', '4', '5'])
    expect(texts.every((t, i) => t === text(i))).toBe(true)
  })
})
