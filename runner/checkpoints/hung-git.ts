/**
 * @module Test support: a fake `git` first on PATH that never answers (it starts a sleeping
 * child, writes that child's pid, and waits). It stands in for a hung git: a held lock or a
 * stuck filter cannot be produced on demand. `restore` puts PATH back.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const shadowGit = (dir: string): { childPidFile: string; restore: () => void } => {
  const bin = join(dir, 'fake-bin')
  const childPidFile = join(dir, 'sleeper.pid')
  mkdirSync(bin, { recursive: true })
  writeFileSync(join(bin, 'git'), `#!/bin/sh\nsleep 600 &\necho $! > '${childPidFile}'\nwait\n`)
  chmodSync(join(bin, 'git'), 0o755)
  const before = process.env.PATH
  process.env.PATH = `${bin}:${before ?? ''}`
  return {
    childPidFile,
    restore: () => {
      process.env.PATH = before
    },
  }
}
