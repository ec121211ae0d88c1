/**
 * @module A lineage scenario's hand-written expectations (fixtures/scenarios/lineage) as checks
 * on a whole-system run: every thread's projection (runs, their provider, texts and handoffs,
 * inherited items, context transfers) and what each provider received, read from the outbound
 * frames the adapters sent (scripts/replay/lineage-capture.ts). Each check returns what is
 * wrong, one line each; empty when the scenario is met.
 */
import type { ProviderKind, ThreadProjection } from '../../src/contracts/index.ts'
import type { ExpectedThread, FixtureProvider, LineageScenario, ReceivedCheck } from '../../fixtures/scenarios/lineage/types.ts'
import type { TranscriptEntry } from '../../runner/replay/index.ts'
import type { CapturedFrames } from './lineage-capture.ts'

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {})
const need = (ok: boolean, what: string): string[] => (ok ? [] : [what])
const runsOf = (p: ThreadProjection) => [...p.runs].sort((a, b) => a.ordinal - b.ordinal)
const show = (v: unknown): string => JSON.stringify(v)

/** Every string in a value, joined: the text a frame carries. */
const textOf = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) ? v.map(textOf).join('\n') : typeof v === 'object' && v !== null ? Object.values(v).map(textOf).join('\n') : '')

const itemsOfRun = (p: ThreadProjection, runId: string) => p.turnItems.filter((i) => i.runId === runId && i.visibility !== 'inherited').sort((a, b) => a.ordinal - b.ordinal)

const checkThread = (name: string, p: ThreadProjection | undefined, want: ExpectedThread, provider: FixtureProvider): string[] => {
  if (!p) return [`${name}: no such thread was replayed`]
  const runs = runsOf(p)
  const out = need(runs.length === want.runs.length, `${name}: ${want.runs.length} runs, got ${runs.length} ${show(runs.map((r) => r.status))}`)
  want.runs.forEach((w, i) => {
    const run = runs[i]
    const where = `${name} run ${i + 1}`
    if (!run) return
    const items = itemsOfRun(p, run.id)
    const user = items.find((x) => x.content.type === 'user_message')?.content
    const assistant = items.filter((x) => x.content.type === 'assistant_message').at(-1)?.content
    const said = assistant?.type === 'assistant_message' ? assistant.text.trim() : null
    const handoff = items.find((x) => x.content.type === 'handoff')?.content
    const text = typeof w.assistant === 'string' || w.assistant instanceof RegExp ? w.assistant : w.assistant[run.provider]
    out.push(
      ...need(run.status === w.status, `${where}: status ${w.status}, got ${run.status}`),
      ...need(run.provider === (w.provider ?? provider), `${where}: served by ${w.provider ?? provider}, got ${run.provider}`),
      ...need(user?.type === 'user_message' && user.text === w.user, `${where}: user text ${show(w.user)}, got ${show(user?.type === 'user_message' ? user.text : null)}`),
      ...need(text instanceof RegExp ? said !== null && text.test(said) : said === text, `${where}: assistant text ${String(text)}, got ${show(said)}`),
      ...need((handoff?.type === 'handoff' ? handoff.strategy : undefined) === w.handoff, `${where}: handoff ${String(w.handoff)}, got ${handoff?.type === 'handoff' ? handoff.strategy : 'none'}`),
    )
  })
  const inherited = p.turnItems.filter((i) => i.visibility === 'inherited' && i.content.type === 'user_message').sort((a, b) => a.ordinal - b.ordinal)
  const inheritedTexts = inherited.map((i) => (i.content.type === 'user_message' ? i.content.text : ''))
  out.push(...need(show(inheritedTexts) === show(want.inherited ?? []), `${name}: inherited user texts ${show(want.inherited ?? [])}, got ${show(inheritedTexts)}`))
  const transfers = p.contextTransfers.filter((t) => t.targetThreadId === p.thread?.id).map((t) => `${t.type}/${t.status}/${t.resolution}`)
  out.push(...need(show(transfers) === show(want.transfers ?? []), `${name}: transfers ${show(want.transfers ?? [])}, got ${show(transfers)}`))
  return out
}

type Context = { threads: ReadonlyMap<string, ThreadProjection>; frames: CapturedFrames }

const outbound = (frames: CapturedFrames, provider: ProviderKind): Obj[] =>
  (frames.get(provider) ?? []).flatMap((e: TranscriptEntry) => (e.type === 'expect_outbound' ? [obj(e.frame)] : []))

/** The provider thread and turn that served run `ordinal` of `p`. */
const servedBy = (p: ThreadProjection | undefined, ordinal: number) => {
  const run = p && runsOf(p)[ordinal - 1]
  const thread = run && p.providerThreads.find((t) => t.id === run.providerThreadId)
  const attempt = run && p.attempts.find((a) => a.id === run.activeAttemptId)
  const turn = attempt && p.providerTurns.find((t) => t.id === attempt.providerTurnId)
  return { run, thread, turn }
}

/** The frame that started run `ordinal` of `p`: the Codex `turn/start` or Claude `prompt.offer` carrying its user text. */
const turnFrame = (c: Context, p: ThreadProjection | undefined, ordinal: number): Obj | undefined => {
  const { run } = servedBy(p, ordinal)
  if (!p || !run) return undefined
  const user = itemsOfRun(p, run.id).find((x) => x.content.type === 'user_message')?.content
  const text = user?.type === 'user_message' ? user.text : null
  if (text === null) return undefined
  const starts = outbound(c.frames, run.provider).filter((f) => f.method === 'turn/start' || f.type === 'prompt.offer')
  return starts.find((f) => textOf(run.provider === 'codex' ? obj(f.params).input : obj(f.message).message).includes(text))
}

const checkReceived = (c: Context, check: ReceivedCheck): string[] => {
  const p = c.threads.get(check.thread)
  const where = `received (${check.kind}, ${check.thread})`
  switch (check.kind) {
    case 'input': {
      const frame = turnFrame(c, p, check.run)
      if (!frame) return [`${where}: no turn/start or prompt.offer for run ${check.run}`]
      const text = textOf(frame.method === 'turn/start' ? obj(frame.params).input : obj(frame.message).message)
      return [
        ...check.contains.flatMap((s) => need(text.includes(s), `${where}: run ${check.run}'s input lacks ${show(s)}: ${show(text)}`)),
        ...(check.excludes ?? []).flatMap((s) => need(!text.includes(s), `${where}: run ${check.run}'s input has ${show(s)}: ${show(text)}`)),
      ]
    }
    case 'fork': {
      const source = c.threads.get(check.from)
      const mine = servedBy(p, 1)
      // The source's runs share one provider thread; `at` decides only how far the fork goes.
      const through = servedBy(source, check.at === 'latest' ? 1 : check.at.run)
      const sourceRef = through.thread?.nativeThreadRef
      if (!mine.thread || !sourceRef || !mine.run) return [`${where}: no provider thread for the fork's first run or the source's run`]
      const out = need(mine.thread.nativeThreadRef !== sourceRef, `${where}: the fork has a provider thread of its own, got the source's ${sourceRef}`)
      if (mine.run.provider === 'codex') {
        const fork = outbound(c.frames, 'codex').find((f) => f.method === 'thread/fork' && obj(f.params).threadId === sourceRef)
        out.push(...need(fork !== undefined, `${where}: a thread/fork of the source's Codex thread ${sourceRef}`))
        if (fork && check.at !== 'latest') out.push(...need(obj(fork.params).lastTurnId === through.turn?.nativeTurnRef, `${where}: thread/fork through run ${check.at.run}'s turn ${show(through.turn?.nativeTurnRef)}, got ${show(obj(fork.params).lastTurnId)}`))
      } else {
        const open = outbound(c.frames, 'claude').find((f) => f.type === 'query.open' && obj(f.options).sessionId === mine.thread!.nativeThreadRef)
        const o = obj(open?.options)
        out.push(...need(o.resume === sourceRef && o.forkSession === true, `${where}: query.open of the fork resumes ${sourceRef} with forkSession, got ${show(o)}`))
        if (check.at !== 'latest') out.push(...need(o.resumeSessionAt === through.turn?.conversationHeadRef, `${where}: forked at run ${check.at.run}'s head ${show(through.turn?.conversationHeadRef)}, got ${show(o.resumeSessionAt)}`))
      }
      return out
    }
    case 'rollback': {
      const kept = servedBy(p, check.toRun)
      const next = servedBy(p, check.toRun + 1)
      const ref = kept.thread?.nativeThreadRef
      if (!kept.run || !ref) return [`${where}: no provider thread for run ${check.toRun}`]
      if (kept.run.provider === 'codex') {
        const revert = outbound(c.frames, 'codex').find((f) => f.method === 'thread/revert' && obj(f.params).threadId === ref)
        return need(revert !== undefined && obj(revert.params).beforeTurnId === next.turn?.nativeTurnRef, `${where}: thread/revert of ${ref} before run ${check.toRun + 1}'s turn ${show(next.turn?.nativeTurnRef)}, got ${show(revert?.params)}`)
      }
      const open = outbound(c.frames, 'claude').find((f) => f.type === 'query.open' && obj(f.options).resume === ref && obj(f.options).forkSession !== true && obj(f.options).resumeSessionAt !== undefined)
      return need(obj(open?.options).resumeSessionAt === kept.turn?.conversationHeadRef, `${where}: a query.open resuming ${ref} at run ${check.toRun}'s head ${show(kept.turn?.conversationHeadRef)}, got ${show(open?.options)}`)
    }
    case 'reuses': {
      const [a, b] = [servedBy(p, check.run), servedBy(p, check.sameAs)]
      const out = need(a.thread !== undefined && a.thread.id === b.thread?.id, `${where}: run ${check.run} on run ${check.sameAs}'s provider thread ${show(b.thread?.id)}, got ${show(a.thread?.id)}`)
      if (a.run?.provider === 'codex') {
        const frame = turnFrame(c, p, check.run)
        out.push(...need(obj(frame?.params).threadId === b.thread?.nativeThreadRef, `${where}: run ${check.run}'s turn/start goes to ${show(b.thread?.nativeThreadRef)}, got ${show(obj(frame?.params).threadId)}`))
        const starts = outbound(c.frames, 'codex').filter((f) => f.method === 'thread/start').length
        out.push(...need(starts === 1, `${where}: one Codex thread/start, got ${starts}`))
      }
      return out
    }
  }
}

/** What is wrong with a run of `scenario` (main created on `provider`) against its expectations. */
export const lineageMisses = (scenario: LineageScenario, provider: FixtureProvider, threads: ReadonlyMap<string, ThreadProjection>, frames: CapturedFrames): string[] => [
  ...Object.entries(scenario.expect).flatMap(([name, want]) => checkThread(name, threads.get(name), want, provider)),
  ...need(threads.size === Object.keys(scenario.expect).length, `threads ${show(Object.keys(scenario.expect))}, got ${show([...threads.keys()])}`),
  ...scenario.received.flatMap((check) => checkReceived({ threads, frames }, check)),
]
