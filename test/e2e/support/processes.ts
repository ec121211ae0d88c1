/**
 * @module Processes of a test, read from /proc (Linux): a process tree by parent, a process
 * group, and which of the processes seen earlier are still alive (matched by pid and start
 * time, so a reused pid is not mistaken for a survivor).
 */
import { readdirSync, readFileSync } from 'node:fs'

export type Proc = { pid: number; ppid: number; pgid: number; state: string; startTime: string; cmd: string }

const read = (pid: number): Proc | null => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean).join(' ')
    return { pid, ppid: Number(fields[1]), pgid: Number(fields[2]), state: fields[0] ?? '?', startTime: fields[19] ?? '', cmd }
  } catch {
    return null // gone while we looked
  }
}

/** Every process visible now, zombies excluded (they hold no resources and run nothing). */
export const processes = (): Proc[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => read(Number(name)))
    .filter((p): p is Proc => p !== null && p.state !== 'Z')

/** `root` and every process below it, by parent pid. */
export const tree = (root: number, all = processes()): Proc[] => {
  const found = all.filter((p) => p.pid === root)
  for (let i = 0; i < found.length; i++) for (const p of all) if (p.ppid === found[i]!.pid) found.push(p)
  return found
}

/** Members of process group `pgid`. */
export const group = (pgid: number, all = processes()): Proc[] => all.filter((p) => p.pgid === pgid)

/** Which of `seen` still run (same pid and the same start time). */
export const survivors = (seen: Proc[]): Proc[] => {
  const now = new Map(processes().map((p) => [p.pid, p]))
  return seen.filter((p) => now.get(p.pid)?.startTime === p.startTime)
}
