/**
 * @module Provider processes that die with the runner. A child in the runner's process group
 * dies when the group is signalled, but a runner killed alone (SIGKILL, OOM killer) leaves its
 * children running: the Claude Code CLI keeps streaming a turn nobody will read. On Linux the
 * child is started through util-linux `setpriv --pdeathsig`, which sets the parent-death
 * signal and then execs the provider in place (same pid, same process group), so the kernel
 * signals it the moment the runner is gone. Elsewhere, or without setpriv, the command is
 * started as given.
 */
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/** SIGTERM lets the provider end its own children (tool commands) on the way out. */
export const PARENT_DEATH_SIGNAL = 'TERM'

let setpriv: string | null | undefined

/** The setpriv binary on PATH (Linux only), looked up once. */
const findSetpriv = (path: string | undefined): string | null => {
  if (setpriv !== undefined) return setpriv
  setpriv = null
  if (process.platform !== 'linux') return setpriv
  for (const dir of (path ?? '/usr/bin:/bin').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'setpriv')
    try {
      accessSync(candidate, constants.X_OK)
      setpriv = candidate
      break
    } catch {
      // not here
    }
  }
  return setpriv
}

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** `command args` wrapped so the process gets PARENT_DEATH_SIGNAL when the runner dies. */
export function tethered(command: string, args: readonly string[], path = process.env.PATH): { command: string; args: string[] } {
  const wrapper = findSetpriv(path)
  // A missing program must still fail as a spawn error (ENOENT), not as setpriv's exit code.
  if (!wrapper || (command.includes('/') && !isExecutable(command))) return { command, args: [...args] }
  return { command: wrapper, args: ['--pdeathsig', PARENT_DEATH_SIGNAL, '--', command, ...args] }
}
