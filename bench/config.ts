/** @module The benchmark's sizes, shared by the runner and the report's method section. */
export const REPS = Math.max(1, Math.min(20, Number(process.env.BENCH_REPS ?? 5)))
export const C1_REQUESTS = 300
export const C20_REQUESTS = 1000
export const INGEST_EVENTS = 5000
export const BATCH = 50
export const WINDOW = 4
export const SUBSCRIBERS = 100
export const FANOUT_EVENTS = 1000
export const FANOUT_CONCURRENCY = 10
export const CATCHUP_EVENTS = 10_000
export const CATCHUP_TIMES = 5
export const STREAM_PACES = [0, 0, 0, 5]
export const WORKSPACE = 'bench-ws'
/** The scenarios measured against the baseline (everything but the warm turns). */
export const CLASSIC = ['dispatch', 'ingest', 'fanout', 'catchup', 'stream']
/** `--only turns`, `--only=dispatch,ingest` or BENCH_ONLY=… runs only those (default: all, warm turns included). */
const onlyArg = (argv: string[]): string | undefined => {
  const at = argv.indexOf('--only')
  return at >= 0 ? argv[at + 1] : argv.find((a) => a.startsWith('--only='))?.slice('--only='.length)
}
export const ONLY = new Set((onlyArg(process.argv.slice(2)) ?? process.env.BENCH_ONLY ?? [...CLASSIC, 'turns'].join(',')).split(','))
