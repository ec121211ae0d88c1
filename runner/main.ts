/**
 * @module `loom-runner` as a function: parse the command line, start the runner with the given
 * adapters, and resolve with the exit code. SIGINT and SIGTERM shut down gracefully (exit 0);
 * a second signal exits at once.
 */
import { mkdirSync, statSync } from 'node:fs'
import type { AdapterRegistry } from './adapters/registry.ts'
import { USAGE, parseCliArgs } from './cli-args.ts'
import { createLogger } from './console-log.ts'
import { providerEnvOf } from './provider-env.ts'
import { Runner } from './runner.ts'

export type MainIo = {
  env: Record<string, string | undefined>
  stdout: (text: string) => void
  stderr: (text: string) => void
}

const defaultIo: MainIo = {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}

const isDirectory = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false

/** `adapters` is called once the arguments are valid, with the environment providers get. */
export const runMain = async (argv: string[], adapters: (providerEnv: Record<string, string>) => AdapterRegistry, io: MainIo = defaultIo): Promise<number> => {
  const parsed = parseCliArgs(argv, io.env)
  if (parsed.kind === 'help') {
    io.stdout(`${USAGE}\n`)
    return 0
  }
  if (parsed.kind === 'error') {
    io.stderr(`loom-runner: ${parsed.message}\n\n${USAGE}\n`)
    return 2
  }
  const options = parsed.options
  if (!isDirectory(options.workspace)) {
    io.stderr(`loom-runner: --workspace ${options.workspace} is not a directory\n`)
    return 2
  }
  try {
    mkdirSync(options.stateDir, { recursive: true })
  } catch (cause) {
    io.stderr(`loom-runner: cannot create the state directory ${options.stateDir}: ${String(cause)}\n`)
    return 2
  }
  let runner: Runner | undefined
  const log = createLogger(options.logFormat, (line) => io.stdout(`${line}\n`), undefined, () => ({ runnerId: runner?.runnerId, epoch: runner?.epoch ?? undefined }))
  const providerEnv = providerEnvOf(io.env)
  runner = new Runner({ options, adapters: adapters(providerEnv), log, providerEnv })
  let signals = 0
  const onSignal = (signal: NodeJS.Signals) => {
    signals++
    if (signals === 1) return void runner.shutdown(signal)
    log.warn('second signal; exiting without waiting', { signal })
    process.exit(130)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  runner.start()
  const code = await runner.finished
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
  return code
}
