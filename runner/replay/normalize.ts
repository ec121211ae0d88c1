/**
 * @module The normalizer: rewrites what varies between two recordings of the same session so
 * that frames compare equal. Used when recording (fixtures are stored normalized) and when
 * comparing (both the recorded and the live side go through their own normalizer).
 *
 * - Ids (UUIDs, e.g. Codex UUIDv7 thread/turn/item ids, Claude session_id / uuid; and opaque
 *   provider ids such as `msg_…`, `call_…`, `toolu_…`) become `<id:N>`, numbered by first
 *   appearance. The same id always gets the same placeholder within one normalizer, so
 *   correlation stays visible. Existing `<id:N>` placeholders (an already normalized fixture)
 *   pass through and reserve N, so a live client's fresh id gets the number the recording gave it.
 * - Ids used as object keys (Codex `agentsStates` is keyed by thread id) are replaced the same way.
 * - Times and durations become `<time>` / `<duration>` (named time keys per protocol, and any
 *   number whose key ends in `_ms` / `Ms`), process ids `<pid>`, paths under a known root
 *   (options.roots, or learned: `cwd`, `codexHome`, CODEX_HOME) become `<cwd>/…`, a Codex thread's
 *   `gitInfo.sha` `<sha>`, and so on.
 * - options.renames first rewrites literal prefixes everywhere (a recording's random temp root to
 *   a fixed one), the dashed form too (Claude names project directories `-tmp-x-work`).
 *
 * Feed a normalizer every frame of one stream in order (inbound too), since ids and roots are
 * learned as they appear.
 */
import type { FixtureProtocol } from './transcript.ts'

export type Normalizer = {
  /** Returns a normalized deep copy of `frame`. */
  normalize: (frame: unknown) => unknown
  /** Raw id -> placeholder, in order of appearance. */
  readonly ids: ReadonlyMap<string, string>
}

export type NormalizerOptions = {
  /** Path prefixes to replace, e.g. `{ '/tmp/x/ws': '<workspace>' }`; longer prefixes win. */
  roots?: Record<string, string>
  /**
   * Literal renames applied to every string before anything else, e.g. `{ '/tmp/loom-record-x1':
   * '/tmp/loom-fixture' }`; the dashed forms (`-tmp-loom-record-x1`) are renamed alike. Roots are
   * learned from the renamed text, so a renamed `cwd` still becomes `<cwd>`.
   */
  renames?: Record<string, string>
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi
const OPAQUE = /\b(?:msg|call|toolu|resp|rs|fc|ws|req|srvtoolu)_[A-Za-z0-9]{16,}\b/g
const PLACEHOLDER = /<id:(\d+)>/g
const ROLLOUT = /\d{4}\/\d{2}\/\d{2}\/rollout-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-/g
const CHUNK_ID = /^Chunk ID: .*$/gm
const WALL_TIME = /^Wall time: .*$/gm
/** Claude subagent (task) ids, e.g. `a0d7e16ecaba1a6e6`, wherever they appear (ids, file names, hand-back text). */
const CLAUDE_AGENT_ID = /\ba[0-9a-f]{16}\b/g
/** Claude ids that are neither UUIDs nor prefixed: the background task run id. */
const CLAUDE_ID_KEYS = /^(run_id)$/
/** Durations Claude writes into texts (a subagent's `<usage>` report). */
const TEXT_DURATION = /\bduration_ms: \d+/g
/** Codex gives each collab agent a random nickname; the fake model echoes the tool output that names it. */
const NICKNAME_JSON = /(\\?"nickname\\?":\s*\\?")[^"\\]*(\\?")/g
const HANDOFF = /(Context handoff \([^)]*\):\n)[\s\S]*?(\n\nUser message:\n)/g

/** Keys whose value is a time or duration, per protocol. */
const TIME_KEYS: Record<FixtureProtocol, RegExp> = {
  'codex.app-server': /^(emittedAtMs|startedAtMs|completedAtMs|createdAt|updatedAt|startedAt|completedAt|resetsAt|recencyAt)$/,
  'claude-agent-sdk.query': /^(timestamp|start_time|end_time)$/,
}
const DURATION_KEYS: Record<FixtureProtocol, RegExp> = {
  'codex.app-server': /^(durationMs)$/,
  'claude-agent-sdk.query': /^(ttft_ms|duration_.*)$/,
}
/** Any other number measured in milliseconds (Claude `*_ms` stats, Codex `…Ms`) is a wall-clock reading. */
const MILLIS_KEY = /(_ms|Ms)$/
/** Keys whose string value is a path root to learn. */
const ROOT_KEYS: Record<string, string> = { cwd: '<cwd>', codexHome: '<codex-home>', CODEX_HOME: '<codex-home>' }

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

const dashed = (path: string): string => path.replace(/\//g, '-')

/** The rename pairs of options.renames, longest first, each also in its dashed form. */
const renamePairs = (renames: Record<string, string>): Array<[string, string]> =>
  Object.entries(renames)
    .sort((a, b) => b[0].length - a[0].length)
    .flatMap(([from, to]): Array<[string, string]> => [
      [from, to],
      [dashed(from), dashed(to)],
    ])

const rootPatterns = new Map<string, RegExp>()
/** Matches a root only where it ends a path segment (`/ws` but not `/ws-2`). */
const rootPattern = (root: string): RegExp => {
  let pattern = rootPatterns.get(root)
  if (pattern === undefined) {
    pattern = new RegExp(`${escapeRegExp(root)}(?=$|[^\\w.-])`, 'g')
    rootPatterns.set(root, pattern)
  }
  return pattern
}

export const createNormalizer = (protocol: FixtureProtocol, options: NormalizerOptions = {}): Normalizer => {
  const ids = new Map<string, string>()
  let next = 1
  const roots = new Map<string, string>(Object.entries(options.roots ?? {}))
  const renames = renamePairs(options.renames ?? {})
  const rename = (value: string): string => renames.reduce((out, [from, to]) => out.replaceAll(from, to), value)

  const id = (raw: string): string => {
    let placeholder = ids.get(raw)
    if (placeholder === undefined) {
      placeholder = `<id:${next++}>`
      ids.set(raw, placeholder)
    }
    return placeholder
  }

  const learnRoot = (path: string, placeholder: string) => {
    if (path.length <= 1 || !path.startsWith('/')) return
    // A path under a known root stays relative to it.
    for (const root of roots.keys()) if (path === root || path.startsWith(`${root}/`)) return
    roots.set(path, placeholder)
  }

  const idsIn = (text: string): string => (text.length < 16 ? text : text.replace(UUID, (m) => id(m.toLowerCase())).replace(OPAQUE, (m) => id(m)))

  const string = (value: string): string => {
    if (value.includes('<id:')) for (const m of value.matchAll(PLACEHOLDER)) next = Math.max(next, Number(m[1]) + 1)
    let out = value
    // Longest root first, so a workspace inside CODEX_HOME is not half replaced.
    for (const [root, placeholder] of [...roots].sort((a, b) => b[0].length - a[0].length)) {
      if (out.includes(root)) out = out.replace(rootPattern(root), placeholder)
    }
    out = out.replace(ROLLOUT, '<date>/rollout-<time>-')
    out = idsIn(out)
    if (out.includes('Chunk ID: ') || out.includes('Wall time: ')) out = out.replace(CHUNK_ID, 'Chunk ID: <chunk>').replace(WALL_TIME, 'Wall time: <duration>')
    if (out.includes('Context handoff (')) out = out.replace(HANDOFF, '$1<dynamic-summary>$2')
    if (protocol === 'claude-agent-sdk.query') out = out.replace(CLAUDE_AGENT_ID, (m) => id(m)).replace(TEXT_DURATION, 'duration_ms: <duration>')
    else if (out.includes('nickname')) out = out.replace(NICKNAME_JSON, '$1<nickname>$2')
    return out
  }

  const walk = (value: unknown, key: string | undefined): unknown => {
    if (typeof value === 'string') {
      const renamed = rename(value)
      if (key !== undefined && ROOT_KEYS[key] !== undefined) learnRoot(renamed, ROOT_KEYS[key]!)
      return string(renamed)
    }
    if (Array.isArray(value)) return value.map((v) => walk(v, undefined))
    if (typeof value !== 'object' || value === null) return value
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[idsIn(k)] = field(k, v, key)
    return out
  }

  const field = (key: string, value: unknown, parentKey: string | undefined): unknown => {
    if (value === null || value === undefined) return value
    if (TIME_KEYS[protocol].test(key) && (typeof value === 'number' || typeof value === 'string')) return '<time>'
    if ((DURATION_KEYS[protocol].test(key) || MILLIS_KEY.test(key)) && typeof value === 'number') return '<duration>'
    if (protocol === 'codex.app-server') {
      if (key === 'processId') return '<pid>'
      if (key === 'version' && parentKey === 'clientInfo') return '<version>'
      if (key === 'userAgent' && typeof value === 'string') return '<user-agent>'
      if ((key === 'nickname' || key === 'agentNickname') && typeof value === 'string') return '<nickname>'
      // A thread's git HEAD: a worktree made from a checkpoint commit, whose sha depends on when it was made.
      if (key === 'sha' && parentKey === 'gitInfo' && typeof value === 'string') return '<sha>'
    } else {
      if (CLAUDE_ID_KEYS.test(key) && typeof value === 'string') return id(value)
      if (key === 'device_id' && parentKey === 'metadata') return '<device-id>'
      if (key === 'messaging_socket_path') return '<socket>'
    }
    return walk(value, key)
  }

  return { normalize: (frame) => walk(frame, undefined), ids }
}

/** Key-sorted JSON, the canonical form frames are compared in. */
export const stableStringify = (value: unknown, indent?: number): string => JSON.stringify(sortKeys(value), null, indent)

const sortKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (typeof value !== 'object' || value === null) return value
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[k]
    if (v !== undefined) out[k] = sortKeys(v)
  }
  return out
}
