/**
 * @module `npm run replay -- <transcript.ndjson> [--json] [--strict]`: replays one transcript
 * (codex.app-server or claude-agent-sdk.query) through the whole system in this process (the
 * bundled worker in Miniflare, the real runner and adapter, a replay transport at the provider
 * boundary) and prints a summary of the thread projection, or with `--json` the projection.
 * `--strict` matches frames exactly (our own fixtures); the default is compatible mode.
 * Exits 1 when the transcript is malformed, the replay fails, or the projection breaks an
 * invariant (scripts/replay/invariants.ts); 2 on bad usage.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { safeParseTranscript } from '../runner/replay/index.ts'
import { replayThroughSystem } from './replay/harness.ts'
import { formatSummary } from './replay/summary.ts'

const USAGE = 'Usage: npm run replay -- <transcript.ndjson> [--json] [--strict]'

const main = async (): Promise<number> => {
  let args: ReturnType<typeof parse>
  const parse = () => parseArgs({ allowPositionals: true, options: { json: { type: 'boolean' }, strict: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } })
  try {
    args = parse()
  } catch (error) {
    process.stderr.write(`replay: ${(error as Error).message}\n${USAGE}\n`)
    return 2
  }
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  const file = args.positionals[0]
  if (!file || args.positionals.length > 1) {
    process.stderr.write(`${USAGE}\n`)
    return 2
  }
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    process.stderr.write(`replay: cannot read ${file}: ${(error as Error).message}\n`)
    return 1
  }
  const parsed = safeParseTranscript(text, file)
  if (!parsed.ok) {
    process.stderr.write(`replay: malformed transcript: ${parsed.error.message}\n`)
    return 1
  }
  const result = await replayThroughSystem(parsed.transcript, { mode: args.values.strict ? 'strict' : 'compatible' })
  process.stdout.write(args.values.json ? `${JSON.stringify(result.projection, null, 2)}\n` : `${formatSummary(file, result)}\n`)
  const broken = [...result.problems.map((p) => `replay failed: ${p}`), ...result.violations.map((v) => `invariant broken: ${v}`)]
  if (broken.length === 0) return 0
  process.stderr.write(`replay: ${file}\n${broken.map((b) => `  ${b}`).join('\n')}\n`)
  return 1
}

const code = await main().catch((error: unknown) => {
  process.stderr.write(`replay: the replay could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  return 1
})
// As runner/cli.ts: exit once done (and the output is out), or an adapter's shutdown grace timers
// (up to 1.5 s, harmless but still pending) would hold the process open after the replay ended.
const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()))
await Promise.all([flushed(process.stdout), flushed(process.stderr)])
process.exit(code)
