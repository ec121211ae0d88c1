import { describe, expect, it } from 'vitest'
import { createNormalizer, stableStringify } from './normalize.ts'

const T1 = '019dadea-f49b-7012-aa03-534f1bfc3181'
const T2 = '019daded-23e9-7100-8f16-28223024be18'

describe('the normalizer', () => {
  it('should replace ids consistently, keeping correlation', () => {
    const n = createNormalizer('codex.app-server')
    const a = n.normalize({ method: 'turn/started', params: { threadId: T1, turn: { id: T2 } } })
    const b = n.normalize({ method: 'item/agentMessage/delta', params: { threadId: T1, turnId: T2, itemId: 'msg_06f406cdc76c42010169e6e4ace378819a' } })
    expect(a).toEqual({ method: 'turn/started', params: { threadId: '<id:1>', turn: { id: '<id:2>' } } })
    expect(b).toEqual({ method: 'item/agentMessage/delta', params: { threadId: '<id:1>', turnId: '<id:2>', itemId: '<id:3>' } })
  })

  it('should replace Codex times, durations, process ids, paths, rollout names, tool-output headers and clientInfo.version', () => {
    const n = createNormalizer('codex.app-server')
    n.normalize({ id: 1, result: { codexHome: '/home/u/.codex' } })
    const frame = n.normalize({
      method: 'item/completed',
      emittedAtMs: 1780962830796,
      params: {
        item: {
          cwd: '/tmp/ws-123',
          processId: '55615',
          durationMs: 12,
          startedAtMs: 1,
          command: 'cat /tmp/ws-123/a.txt',
          aggregatedOutput: 'Chunk ID: 9f2c\nWall time: 0.0021 seconds\nProcess exited with code 0\nhello',
          path: `/home/u/.codex/sessions/2026/04/20/rollout-2026-04-20T19-42-29-${T1}.jsonl`,
        },
      },
    })
    expect(frame).toEqual({
      method: 'item/completed',
      emittedAtMs: '<time>',
      params: {
        item: {
          cwd: '<cwd>',
          processId: '<pid>',
          durationMs: '<duration>',
          startedAtMs: '<time>',
          command: 'cat <cwd>/a.txt',
          aggregatedOutput: 'Chunk ID: <chunk>\nWall time: <duration>\nProcess exited with code 0\nhello',
          path: '<codex-home>/sessions/<date>/rollout-<time>-<id:1>.jsonl',
        },
      },
    })
    expect(n.normalize({ id: 1, method: 'initialize', params: { clientInfo: { name: 'loom', version: '1.2.3' } } })).toEqual({
      id: 1,
      method: 'initialize',
      params: { clientInfo: { name: 'loom', version: '<version>' } },
    })
  })

  it('should replace Claude session ids, uuids, timestamps, ttft, durations, socket paths and metadata.device_id', () => {
    const n = createNormalizer('claude-agent-sdk.query', { roots: { '/tmp/claude-replay-simple': '<workspace>' } })
    const frame = n.normalize({
      type: 'result',
      session_id: T1,
      uuid: T2,
      timestamp: '2026-07-01T15:51:27.047Z',
      ttft_ms: 200,
      duration_ms: 1291,
      duration_api_ms: 1039,
      messaging_socket_path: '/tmp/claude-sock-1',
      metadata: { device_id: 'abc' },
      cwd: '/tmp/claude-replay-simple/sub',
    })
    expect(frame).toEqual({
      type: 'result',
      session_id: '<id:1>',
      uuid: '<id:2>',
      timestamp: '<time>',
      ttft_ms: '<duration>',
      duration_ms: '<duration>',
      duration_api_ms: '<duration>',
      messaging_socket_path: '<socket>',
      metadata: { device_id: '<device-id>' },
      cwd: '<workspace>/sub',
    })
  })

  it('should be stable: two recordings that differ only in varying fields normalize to the same bytes', () => {
    const session = (thread: string, turn: string, t0: number) => [
      { id: 2, result: { thread: { id: thread, createdAt: t0, cwd: `/tmp/run-${t0}` } } },
      { method: 'turn/started', params: { threadId: thread, turn: { id: turn, startedAtMs: t0 + 5 } } },
      { id: 3, method: 'turn/start', params: { threadId: thread, cwd: `/tmp/run-${t0}` } },
    ]
    const run = (frames: unknown[]) => {
      const n = createNormalizer('codex.app-server')
      return frames.map((f) => stableStringify(n.normalize(f))).join('\n')
    }
    const a = run(session(T1, T2, 1000))
    expect(run(session('019e0000-0000-7000-8000-000000000001', '019e0000-0000-7000-8000-000000000002', 99999))).toBe(a)
    // Normalizing normalized frames changes nothing and keeps the numbering.
    const n = createNormalizer('codex.app-server')
    expect(a.split('\n').map((l) => stableStringify(n.normalize(JSON.parse(l)))).join('\n')).toBe(a)
  })

  it('should replace a root only where it ends a path segment', () => {
    const n = createNormalizer('codex.app-server', { roots: { '/tmp/a.b': '<r>' } })
    expect(n.normalize('x /tmp/a.b/c /tmp/a.b-2 /tmp/a.b "/tmp/a.b" /tmp/a.bc')).toBe('x <r>/c /tmp/a.b-2 <r> "<r>" /tmp/a.bc')
  })

  it('should give a fresh id the number after the placeholders already seen', () => {
    const n = createNormalizer('claude-agent-sdk.query')
    n.normalize({ session_id: '<id:1>', path: '/x/<id:2>.jsonl' })
    expect(n.normalize({ sessionId: T1 })).toEqual({ sessionId: '<id:3>' })
  })
})

describe('the normalizer, for recordings (rules moved from the fixture recorder)', () => {
  it('should rename a recording root before learning roots, in its dashed form too', () => {
    const n = createNormalizer('claude-agent-sdk.query', { renames: { '/tmp/loom-record-x1': '/tmp/loom-fixture' } })
    expect(n.normalize({ cwd: '/tmp/loom-record-x1/work', memory: '/h/.claude/projects/-tmp-loom-record-x1-work/memory', state: '/tmp/loom-record-x1/state' })).toEqual({
      cwd: '<cwd>',
      memory: '/h/.claude/projects/-tmp-loom-fixture-work/memory',
      state: '/tmp/loom-fixture/state',
    })
  })

  it('should replace ids used as object keys, in step with the same id as a value', () => {
    const n = createNormalizer('codex.app-server')
    expect(n.normalize({ agentsStates: { [T1]: { status: 'pendingInit' } }, receiverThreadIds: [T1] })).toEqual({ agentsStates: { '<id:1>': { status: 'pendingInit' } }, receiverThreadIds: ['<id:1>'] })
  })

  it('should replace any millisecond number and Codex recencyAt', () => {
    const n = createNormalizer('codex.app-server')
    expect(n.normalize({ recencyAt: 1780962830796, waitedMs: 12, api_ms: 3, count: 7 })).toEqual({ recencyAt: '<time>', waitedMs: '<duration>', api_ms: '<duration>', count: 7 })
  })

  it('should replace Claude subagent ids, task run ids, task times and durations in texts', () => {
    const n = createNormalizer('claude-agent-sdk.query')
    const frame = n.normalize({
      task_id: 'a0d7e16ecaba1a6e6',
      run_id: '0mwua9kgh-df46b160',
      patch: { end_time: 1795499872791 },
      output_file: '/s/tasks/a0d7e16ecaba1a6e6.output',
      text: "agentId: a0d7e16ecaba1a6e6 (use SendMessage with to: 'a0d7e16ecaba1a6e6')\n<usage>tool_uses: 0\nduration_ms: 77</usage>",
    })
    expect(frame).toEqual({
      task_id: '<id:1>',
      run_id: '<id:2>',
      patch: { end_time: '<time>' },
      output_file: '/s/tasks/<id:1>.output',
      text: "agentId: <id:1> (use SendMessage with to: '<id:1>')\n<usage>tool_uses: 0\nduration_ms: <duration></usage>",
    })
    // Not every 17-character word is an agent id.
    expect(n.normalize('abcdefabcdefabcdefg a0d7e16ecaba1a6e6f')).toBe('abcdefabcdefabcdefg a0d7e16ecaba1a6e6f')
  })

  it('should replace Codex agent nicknames, also inside echoed JSON text', () => {
    const n = createNormalizer('codex.app-server')
    expect(n.normalize({ nickname: 'Gauss', text: 'done: {"agent_id":"x","nickname":"Ramanujan"}' })).toEqual({ nickname: '<nickname>', text: 'done: {"agent_id":"x","nickname":"<nickname>"}' })
  })

  it("should replace a Codex thread's gitInfo.sha, and no other sha", () => {
    const n = createNormalizer('codex.app-server')
    const sha = '0a8569bfcaca14f76e1cc87c6968c731c73a98fe'
    expect(n.normalize({ thread: { gitInfo: { branch: null, sha } }, sha })).toEqual({ thread: { gitInfo: { branch: null, sha: '<sha>' } }, sha })
    expect(createNormalizer('claude-agent-sdk.query').normalize({ gitInfo: { sha } })).toEqual({ gitInfo: { sha } })
  })
})
