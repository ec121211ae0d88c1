/**
 * @module Server CPU, measured from outside: Miniflare runs workerd as a child process whose
 * time `process.cpuUsage()` cannot see, so we read utime + stime (all threads) from
 * /proc/<pid>/stat. Clock ticks are 10 ms, so only phases of many operations are meaningful.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { cpus } from 'node:os'

const TICK_MS = 10 // sysconf(_SC_CLK_TCK) = 100 on Linux x86_64

/** utime + stime of one process in ms. */
export const cpuMs = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // Fields after the command name start at field 3 (state); utime is field 14, stime 15.
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS
}

/** Child processes of this one named `workerd`. */
export const workerdChildren = (): number[] => {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === process.pid && comm.startsWith('workerd')) pids.push(Number(entry))
    } catch {
      // The process went away while we looked.
    }
  }
  return pids
}

/** Busy CPU time of the whole machine (all cores) in ms, from /proc/stat. */
export const machineBusyMs = (): number => {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] as string
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number)
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * TICK_MS
}

/** Share of the machine that other processes (not this one, not the server) used meanwhile. */
const foreignShares: number[] = []
export const foreignLoad = (): number[] => foreignShares

/** Server and client (this process) CPU spent in `fn`, in ms. */
export const measureCpu = async <T>(pid: number, fn: () => Promise<T>): Promise<{ value: T; serverMs: number; clientMs: number; wallMs: number }> => {
  const server0 = cpuMs(pid)
  const client0 = process.cpuUsage()
  const busy0 = machineBusyMs()
  const t0 = performance.now()
  const value = await fn()
  const wallMs = performance.now() - t0
  const client = process.cpuUsage(client0)
  const serverMs = cpuMs(pid) - server0
  const clientMs = (client.user + client.system) / 1000
  if (wallMs >= 200) foreignShares.push(Math.max(0, machineBusyMs() - busy0 - serverMs - clientMs) / (wallMs * cpus().length))
  return { value, serverMs, clientMs, wallMs }
}

/** Children, grandchildren, … of `root` (default: this process), from /proc. */
export const descendants = (root = process.pid): number[] => {
  const parents = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // The process went away while we looked.
    }
  }
  const out: number[] = []
  const walk = (parent: number) => {
    for (const [pid, ppid] of parents) {
      if (ppid !== parent) continue
      out.push(pid)
      walk(pid)
    }
  }
  walk(root)
  return out
}

/**
 * Starts watching the machine while a phase runs in this process and its descendants alive at
 * the start (the servers, the runner, the providers); `stop()` returns the shares of the
 * machine's CPU that they and all other processes used meanwhile.
 */
export const watchLoad = (): { stop: () => { ours: number; foreign: number } } => {
  const cpuOf = (pid: number): number | null => {
    try {
      return cpuMs(pid)
    } catch {
      return null // Gone.
    }
  }
  const selfMs = () => {
    const usage = process.cpuUsage()
    return (usage.user + usage.system) / 1000
  }
  const t0 = performance.now()
  const busy0 = machineBusyMs()
  const self0 = selfMs()
  const before = new Map(descendants().map((pid) => [pid, cpuOf(pid)]))
  return {
    stop: () => {
      let mine = selfMs() - self0
      for (const [pid, cpu] of before) {
        const now = cpuOf(pid)
        if (cpu !== null && now !== null) mine += now - cpu
      }
      const busy = machineBusyMs() - busy0
      const capacity = (performance.now() - t0) * cpus().length
      return { ours: mine / capacity, foreign: Math.max(0, busy - mine) / capacity }
    },
  }
}
