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
 * - Times and durations become `<time>` / `<duration>`, process ids `<pid>`, paths under a known
 *   root (options.roots, or learned: `cwd`, `codexHome`, CODEX_HOME) become `<cwd>/…`, and so on.
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
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi
const OPAQUE = /\b(?:msg|call|toolu|resp|rs|fc|ws|req|srvtoolu)_[A-Za-z0-9]{16,}\b/g
const PLACEHOLDER = /<id:(\d+)>/g
const ROLLOUT = /\d{4}\/\d{2}\/\d{2}\/rollout-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-/g
const CHUNK_ID = /^Chunk ID: .*$/gm
const WALL_TIME = /^Wall time: .*$/gm
const HANDOFF = /(Context handoff \([^)]*\):\n)[\s\S]*?(\n\nUser message:\n)/g

/** Keys whose value is a time or duration, per protocol. */
const TIME_KEYS: Record<FixtureProtocol, RegExp> = {
  'codex.app-server': /^(emittedAtMs|startedAtMs|completedAtMs|createdAt|updatedAt|startedAt|completedAt|resetsAt)$/,
  'claude-agent-sdk.query': /^(timestamp)$/,
}
const DURATION_KEYS: Record<FixtureProtocol, RegExp> = {
  'codex.app-server': /^(durationMs)$/,
  'claude-agent-sdk.query': /^(ttft_ms|duration_.*)$/,
}
/** Keys whose string value is a path root to learn. */
const ROOT_KEYS: Record<string, string> = { cwd: '<cwd>', codexHome: '<codex-home>', CODEX_HOME: '<codex-home>' }

const rootPatterns = new Map<string, RegExp>()
/** Matches a root only where it ends a path segment (`/ws` but not `/ws-2`). */
const rootPattern = (root: string): RegExp => {
  let pattern = rootPatterns.get(root)
  if (pattern === undefined) {
    pattern = new RegExp(`${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[^\\w.-])`, 'g')
    rootPatterns.set(root, pattern)
  }
  return pattern
}

export const createNormalizer = (protocol: FixtureProtocol, options: NormalizerOptions = {}): Normalizer => {
  const ids = new Map<string, string>()
  let next = 1
  const roots = new Map<string, string>(Object.entries(options.roots ?? {}))

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

  const string = (value: string): string => {
    if (value.includes('<id:')) for (const m of value.matchAll(PLACEHOLDER)) next = Math.max(next, Number(m[1]) + 1)
    let out = value
    // Longest root first, so a workspace inside CODEX_HOME is not half replaced.
    for (const [root, placeholder] of [...roots].sort((a, b) => b[0].length - a[0].length)) {
      if (out.includes(root)) out = out.replace(rootPattern(root), placeholder)
    }
    out = out.replace(ROLLOUT, '<date>/rollout-<time>-')
    out = out.replace(UUID, (m) => id(m.toLowerCase())).replace(OPAQUE, (m) => id(m))
    if (out.includes('Chunk ID: ') || out.includes('Wall time: ')) out = out.replace(CHUNK_ID, 'Chunk ID: <chunk>').replace(WALL_TIME, 'Wall time: <duration>')
    if (out.includes('Context handoff (')) out = out.replace(HANDOFF, '$1<dynamic-summary>$2')
    return out
  }

  const walk = (value: unknown, key: string | undefined): unknown => {
    if (typeof value === 'string') {
      if (key !== undefined && ROOT_KEYS[key] !== undefined) learnRoot(value, ROOT_KEYS[key]!)
      return string(value)
    }
    if (Array.isArray(value)) return value.map((v) => walk(v, undefined))
    if (typeof value !== 'object' || value === null) return value
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = field(k, v, key)
    return out
  }

  const field = (key: string, value: unknown, parentKey: string | undefined): unknown => {
    if (value === null || value === undefined) return value
    if (TIME_KEYS[protocol].test(key) && (typeof value === 'number' || typeof value === 'string')) return '<time>'
    if (DURATION_KEYS[protocol].test(key) && typeof value === 'number') return '<duration>'
    if (protocol === 'codex.app-server') {
      if (key === 'processId') return '<pid>'
      if (key === 'version' && parentKey === 'clientInfo') return '<version>'
      if (key === 'userAgent' && typeof value === 'string') return '<user-agent>'
    } else {
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
