/**
 * @module The context a run starts with: provider switch (full summary, then delta and resume),
 * a fork's first run (native where the capabilities allow, else portable), and merge-back
 * deltas, as given/when/then over the real decider.
 */
import { describe, expect, it } from 'vitest'
import { CAPABILITIES, deriveId, type ProviderKind } from '../../contracts/index.ts'
import { ThreadWorld, given, type Step } from '../testing/decider-spec.ts'
import { MODEL, THREAD, bound, command, create, dispatch, linked, runId, say, servedRun, system, turnCompleted, turnStarted } from '../testing/steps.ts'

const codexThread = deriveId.providerThread('codex', 'C1')
const claudeThread = deriveId.providerThread('claude', 'L1')
const handoffOf = (world: ThreadWorld) => world.lastEffect('turn.start').body.handoffText ?? ''

describe('provider switch', () => {
  const codexFirst = [create(), linked(), ...servedRun(1, 'codex', 'C1')]

  it('should start a provider that has not seen the thread with a full summary, shown as a handoff item', () =>
    void given(...codexFirst)
      .when(dispatch('message 2', { modelSelection: MODEL.claude }))
      .thenIncludes(
        {
          type: 'context-handoff.updated',
          payload: {
            id: 'handoff:run%3Athread-1%3A2:1',
            strategy: 'full_thread_summary',
            targetRunId: runId(2),
            fromProviderThreadIds: [codexThread],
            toProviderThreadId: null,
            coveredRunOrdinals: { from: 1, to: 1 },
            status: 'ready',
          },
        },
        { type: 'run.updated', payload: { id: runId(2), status: 'starting', contextHandoffId: 'handoff:run%3Athread-1%3A2:1' } },
      )
      .thenState(({ world, state }) => {
        const text = handoffOf(world)
        expect(text).toMatch(/^Context handoff \(full_thread_summary, for claude\)\.\nThis conversation began before you joined it \(with codex\)/)
        expect(text).toContain('- User: message 1\n- Assistant: reply 1\n')
        expect(text).not.toContain('message 2')
        expect(world.lastEffect('turn.start').body).toMatchObject({ providerThread: null, fork: null, message: { text: 'message 2' } })
        const item = [...state.turnItems.values()].find((i) => i.content.type === 'handoff')
        // The user sees exactly what was passed, after their message.
        expect(item).toMatchObject({ runId: runId(2), visibility: 'synthetic', ordinal: 4, content: { strategy: 'full_thread_summary', fromProviders: ['codex'], toProvider: 'claude', summary: text } })
      }))

  it('should resume the old provider thread of a returning provider with only the delta', () =>
    void given(...codexFirst, ...servedRun(2, 'claude', 'L1'))
      .when(dispatch('message 3', { modelSelection: MODEL.codex }))
      .thenIncludes({ type: 'context-handoff.updated', payload: { strategy: 'delta_since_target_last_seen', fromProviderThreadIds: [claudeThread], toProviderThreadId: codexThread, coveredRunOrdinals: { from: 2, to: 2 } } })
      .thenIncludes({ type: 'provider-thread.updated', payload: { id: codexThread, handoffIds: ['handoff:run%3Athread-1%3A3:1'] } })
      .thenState(({ world }) => {
        const text = handoffOf(world)
        expect(text).toContain('Since your last turn, this conversation went on with claude')
        expect(text).toContain('- User: message 2\n- Assistant: reply 2\n')
        // Run 1 (which codex served) and run 2's own handoff are not repeated.
        expect(text).not.toContain('message 1')
        expect(text).not.toContain('Context handoff (full_thread_summary')
        expect(world.lastEffect('turn.start').body.providerThread).toEqual({ id: codexThread, provider: 'codex', nativeThreadRef: 'C1', nativeConversationHeadRef: null })
      }))

  it('should pass nothing when the same provider goes on', () =>
    void given(...codexFirst)
      .when(dispatch('message 2'))
      .thenEffects({ kind: 'turn.start', handoffText: null, fork: null, providerThread: expect.objectContaining({ id: codexThread }) })
      .thenState(({ state }) => expect(state.contextHandoffs.size).toBe(0)))

  it('should record the handoff on the new provider thread once the runner binds it', () =>
    void given(...codexFirst, dispatch('message 2', { modelSelection: MODEL.claude }))
      .when(bound(2, 'claude', 'L1'))
      .thenIncludes({ type: 'provider-thread.updated', payload: { id: claudeThread, handoffIds: ['handoff:run%3Athread-1%3A2:1'], firstRunOrdinal: 2 } })
      .thenIncludes({ type: 'run.updated', payload: { id: runId(2), providerThreadId: claudeThread } }))

  it("should bound the summary by the target's maxRecommendedHandoffChars", () => {
    const small = (p: ProviderKind) => ({ ...CAPABILITIES[p], context: { ...CAPABILITIES[p].context, maxRecommendedHandoffChars: 400 } })
    const long = Array.from({ length: 6 }, (_, i) => servedRun(i + 1, 'codex', 'C1', { text: `message ${i + 1} ${'w'.repeat(60)}` })).flat()
    given(create(), linked(), ...long)
      .when(dispatch('switch', { modelSelection: MODEL.claude }, { capabilities: small }))
      .thenState(({ world }) => {
        const text = handoffOf(world)
        expect(text.length).toBeLessThanOrEqual(400)
        expect(text).toContain('reply 6')
        expect(text).toMatch(/earlier entries were left out to stay within 400 characters/)
      })
  })
})

const FORK = 'thread-2'
const forkTransfer = (target = FORK) => deriveId.transfer('fork', THREAD, target)

/** The steps that create fork `target` of a source with `history`, at `point`. */
const forkOf = (history: Step[], point: { type: 'latest_stable' } | { type: 'run'; runId: string }, target = FORK): Step[] => {
  const source = given(...history).world()
  source.must(command({ type: 'thread.fork', targetThreadId: target, sourcePoint: point as never }))
  return [system({ type: 'fork.seed', seed: source.lastEffect('fork.seed').body.seed }), linked()]
}

describe("a fork's first run", () => {
  const codexSource = [create(), linked(), ...servedRun(1, 'codex', 'C1'), ...servedRun(2, 'codex', 'C1')]

  it('should fork the source provider thread natively through the fork point turn', () =>
    void given(...forkOf(codexSource, { type: 'run', runId: runId(1) }))
      .when(dispatch('in the fork', { threadId: FORK }))
      .thenEffects({
        kind: 'turn.start',
        runId: runId(1, FORK),
        providerThread: null,
        handoffText: null,
        fork: {
          transferId: forkTransfer(),
          sourceThreadId: THREAD,
          checkpointRef: null,
          providerThread: { id: codexThread, provider: 'codex', nativeThreadRef: 'C1', nativeConversationHeadRef: null },
          throughNativeTurnRef: 'turn-1-1',
        },
      })
      .thenIncludes({ type: 'context-transfer.updated', payload: { id: forkTransfer(), status: 'resolved_native', resolution: 'native_fork', targetRunId: runId(1, FORK), targetProvider: 'codex' } })
      .thenState(({ state }) => expect(state.contextHandoffs.size).toBe(0)))

  it('should consume the transfer and record the fork on the new provider thread when the run completes', () =>
    void given(...forkOf(codexSource, { type: 'latest_stable' }), dispatch('in the fork', { threadId: FORK }), bound(1, 'codex', 'F1', FORK), turnStarted(1, 1, FORK))
      .when(turnCompleted(1, { threadId: FORK }))
      .thenIncludes({ type: 'context-transfer.updated', payload: { id: forkTransfer(), status: 'consumed', consumedAt: 1_000 } })
      .thenState(({ state }) => {
        expect(state.providerThreads.get(deriveId.providerThread('codex', 'F1'))?.forkedFrom).toEqual({ providerThreadId: codexThread, providerTurnId: null, checkpointId: null })
        expect(state.contextTransfers.get(forkTransfer())?.origin?.throughNativeTurnRef).toBe('turn-2-1')
      }))

  it('should fork Claude at the conversation head the fork point turn ended with', () => {
    const claudeSource = [create({ provider: 'claude' }), linked(), ...servedRun(1, 'claude', 'L1', { head: 'A1' }), ...servedRun(2, 'claude', 'L1', { head: 'A2' })]
    given(...forkOf(claudeSource, { type: 'run', runId: runId(1) }))
      .when(dispatch('in the fork', { threadId: FORK }))
      .thenEffects({
        kind: 'turn.start',
        handoffText: null,
        fork: expect.objectContaining({ providerThread: { id: claudeThread, provider: 'claude', nativeThreadRef: 'L1', nativeConversationHeadRef: 'A1' } }),
      })
  })

  it.each([
    ['another provider', [create(), linked(), ...servedRun(1, 'codex', 'C1'), ...servedRun(2, 'codex', 'C1')], MODEL.claude],
    ['a Claude source with no recorded head', [create({ provider: 'claude' }), linked(), ...servedRun(1, 'claude', 'L1'), ...servedRun(2, 'claude', 'L1')], MODEL.claude],
  ] as const)('should fall back to a portable summary of the inherited conversation on %s', (_name, history, modelSelection) =>
    void given(...forkOf([...history], { type: 'run', runId: runId(1) }))
      .when(dispatch('in the fork', { threadId: FORK, modelSelection }))
      .thenIncludes({ type: 'context-transfer.updated', payload: { id: forkTransfer(), status: 'resolved_portable', resolution: 'portable_context' } })
      .thenIncludes({ type: 'context-handoff.updated', payload: { strategy: 'full_thread_summary', transferId: forkTransfer(), threadId: FORK } })
      .thenState(({ world }) => {
        const start = world.lastEffect('turn.start').body
        expect(start.fork).toMatchObject({ transferId: forkTransfer(), providerThread: null, throughNativeTurnRef: null })
        expect(start.handoffText).toContain('- User: message 1\n- Assistant: reply 1\n')
        expect(start.handoffText).not.toContain('message 2')
      }))

  it('should hand a later run the fork its summary when the native fork run failed', () =>
    void given(
      ...forkOf(codexSource, { type: 'latest_stable' }),
      dispatch('in the fork', { threadId: FORK }),
      turnCompleted(1, { threadId: FORK, status: 'failed', failure: { class: 'provider_error', message: 'x', code: 'x', retryable: false } }),
    )
      .when(dispatch('again', { threadId: FORK }))
      .thenState(({ world, state }) => {
        expect(state.contextTransfers.get(forkTransfer())).toMatchObject({ status: 'failed' })
        expect(world.lastEffect('turn.start').body).toMatchObject({ fork: null, handoffText: expect.stringContaining('- User: message 2\n- Assistant: reply 2\n') })
      }))
})

describe('merge-back delivered to the source', () => {
  const sourceHistory = [create(), linked(), ...servedRun(1, 'codex', 'C1')]

  /** Fork `target` of the source, one run of its own saying `text`, merged back: the delivery. */
  const mergedBack = (target: string, text: string): string => {
    const fork = given(...forkOf(sourceHistory, { type: 'latest_stable' }, target), ...servedRun(1, 'codex', `native-${target}`, { threadId: target, text })).world()
    fork.must(command({ type: 'thread.merge_back', threadId: target, targetThreadId: THREAD, sourcePoint: { type: 'latest_stable' } }))
    return fork.lastEffect('merge_back.deliver').body.delivery
  }
  const receive = (delivery: string) => system({ type: 'merge_back.receive', delivery })
  const mergeTransfer = (fork: string) => deriveId.transfer('merge_back', fork, THREAD, 1)

  it("should pass the fork's delta, and only it, to the source's next run", () =>
    void given(...sourceHistory, receive(mergedBack('fork-a', 'try plan A')))
      .when(dispatch('message 2'))
      .thenIncludes({ type: 'context-transfer.updated', payload: { id: mergeTransfer('fork-a'), status: 'resolved_portable', resolution: 'fork_delta_context', targetRunId: runId(2) } })
      .thenIncludes({ type: 'context-handoff.updated', payload: { strategy: 'fork_delta_summary', transferId: mergeTransfer('fork-a'), toProviderThreadId: codexThread } })
      .thenIncludes({ type: 'turn-item.updated', payload: { id: deriveId.signalItem(mergeTransfer('fork-a'), 'merge-back', 1), status: 'completed' } })
      .thenState(({ world }) => {
        const text = handoffOf(world)
        expect(text).toContain('A forked conversation (fork-a) was merged back')
        expect(text).toContain('- User: try plan A\n- Assistant: reply 1\n')
        // The conversation both share (before the fork point) is not sent again.
        expect(text).not.toContain('message 1')
        expect(world.lastEffect('turn.start').body.providerThread).toMatchObject({ id: codexThread })
      }))

  it('should deliver two sibling forks merged back one after the other, each once', () => {
    const world = given(...sourceHistory, receive(mergedBack('fork-a', 'try plan A'))).world()
    world.must(dispatch('message 2')).must(bound(2, 'codex', 'C1')).must(turnStarted(2)).must(say(2, 'msg-2', 'reply 2')).must(turnCompleted(2))
    const first = handoffOf(world)
    expect(world.state.contextTransfers.get(mergeTransfer('fork-a'))).toMatchObject({ status: 'consumed' })
    world.must(receive(mergedBack('fork-b', 'try plan B'))).must(dispatch('message 3'))
    const second = handoffOf(world)
    expect(first).toContain('try plan A')
    expect(first).not.toContain('try plan B')
    expect(second).toContain('A forked conversation (fork-b) was merged back')
    expect(second).toContain('try plan B')
    expect(second).not.toContain('try plan A')
  })

  it('should pass both deltas when two merge-backs wait for the same run', () =>
    void given(...sourceHistory, receive(mergedBack('fork-a', 'try plan A')), receive(mergedBack('fork-b', 'try plan B')))
      .when(dispatch('message 2'))
      .thenState(({ world, state }) => {
        const text = handoffOf(world)
        expect(text.indexOf('try plan A')).toBeGreaterThan(-1)
        expect(text.indexOf('try plan B')).toBeGreaterThan(text.indexOf('try plan A'))
        expect([...state.contextHandoffs.values()].map((h) => h.transferId)).toEqual([mergeTransfer('fork-a'), mergeTransfer('fork-b')])
      }))

  it('should carry the delta again when the run that carried it did not complete', () =>
    void given(...sourceHistory, receive(mergedBack('fork-a', 'try plan A')), dispatch('message 2'), turnStarted(2))
      .when(turnCompleted(2, { status: 'interrupted' }))
      .thenIncludes({ type: 'context-transfer.updated', payload: { id: mergeTransfer('fork-a'), status: 'delivered', targetRunId: null } })
      .thenIncludes({ type: 'turn-item.updated', payload: { id: deriveId.signalItem(mergeTransfer('fork-a'), 'merge-back', 1), status: 'pending' } }))
})
