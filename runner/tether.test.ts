import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { tethered } from './tether.ts'

const alive = (pid: number): boolean => {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'latin1').includes(') Z ')
  } catch {
    return false
  }
}

describe('tethered provider processes', () => {
  it('should wrap the command with setpriv --pdeathsig, keeping its arguments', () => {
    const { command, args } = tethered('/bin/echo', ['a b', '--flag'])
    expect(command).toMatch(/\/setpriv$/)
    expect(args).toEqual(['--pdeathsig', 'TERM', '--', '/bin/echo', 'a b', '--flag'])
  })

  it('should end the child when its parent is killed with SIGKILL', async () => {
    // A parent that spawns a tethered `sleep`, reports its pid, then waits to be killed.
    const script = `
      import { spawn } from 'node:child_process'
      import { tethered } from ${JSON.stringify(new URL('./tether.ts', import.meta.url).pathname)}
      const { command, args } = tethered('sleep', ['60'])
      const child = spawn(command, args, { stdio: 'ignore' })
      child.on('spawn', () => console.log(child.pid))
      setInterval(() => {}, 1000)`
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
    const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))))
    // The pid exists from 'spawn' on, but setpriv execs `sleep` in place a moment later.
    const program = () => readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')[0]
    const execDeadline = Date.now() + 3000
    while (program() !== 'sleep' && Date.now() < execDeadline) await new Promise((r) => setTimeout(r, 10))
    expect(alive(pid)).toBe(true)
    expect(program()).toBe('sleep')
    parent.kill('SIGKILL')
    const deadline = Date.now() + 3000
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    const survived = alive(pid)
    if (survived) process.kill(pid, 'SIGKILL')
    expect(survived).toBe(false)
  })
})
