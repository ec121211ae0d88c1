/**
 * @module Running the machine's `git` for checkpoints: argument arrays (no shell), a fixed
 * identity for the commits Loom makes, no optional locks (reading a repository never rewrites
 * the user's index behind their back), and a time limit: a git that hangs (a lock held by
 * another process, a filter waiting on a network) is killed with everything it started, so a
 * run's end is never held back by it.
 */
import { spawn } from 'node:child_process'
import { providerEnvOf } from '../provider-env.ts'

export type GitOptions = {
  cwd: string
  /** Extra environment, e.g. `GIT_INDEX_FILE` for a temporary index. */
  env?: Record<string, string>
  /** Exit codes that are answers, not failures (e.g. 1 of `git diff --quiet`). */
  okCodes?: number[]
  /** Written to the command's stdin. */
  input?: string
  /** Overrides the time limit (gitTimeoutMs()). */
  timeoutMs?: number
}

export type GitResult = { code: number; stdout: Buffer }

/** Checkpoint commits are Loom's, whatever the user's git identity or signing settings are. */
const IDENTITY = {
  GIT_AUTHOR_NAME: 'Loom',
  GIT_AUTHOR_EMAIL: 'loom@localhost',
  GIT_COMMITTER_NAME: 'Loom',
  GIT_COMMITTER_EMAIL: 'loom@localhost',
}

/** Diffs of large repositories are capped later (diff-parts.ts); this only bounds a runaway. */
const MAX_BUFFER = 256 * 1024 * 1024

const DEFAULT_TIMEOUT_MS = 120_000

/**
 * How long one git command may take: `LOOM_GIT_TIMEOUT_MS`, else 2 minutes (a first snapshot
 * of a large repository hashes every file once; later ones reuse the index's stat cache).
 */
export const gitTimeoutMs = (env: Record<string, string | undefined> = process.env): number => {
  const value = Number(env.LOOM_GIT_TIMEOUT_MS)
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_TIMEOUT_MS
}

export class GitError extends Error {
  readonly code: number | null
  readonly stderr: string
  /** The command ran past its time limit and was killed. */
  readonly timedOut: boolean
  constructor(args: string[], code: number | null, stderr: string, timedOut = false) {
    super(`git ${args.join(' ')} ${timedOut ? 'timed out' : `failed (${code ?? 'signal'})`}: ${stderr.trim().slice(0, 2000)}`)
    this.code = code
    this.stderr = stderr
    this.timedOut = timedOut
  }
}

/** Kills the command's whole process group (git's own children: filters, hooks, pagers), then git itself if that fails. */
const killGroup = (pid: number | undefined): void => {
  if (pid === undefined) return
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
}

export const git = (args: string[], options: GitOptions): Promise<GitResult> =>
  new Promise((resolve, reject) => {
    // Without Loom's variables: a repository's own filters (clean/smudge) run under this environment.
    const env = { ...providerEnvOf(process.env), ...IDENTITY, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...options.env }
    const timeoutMs = options.timeoutMs ?? gitTimeoutMs()
    // detached: git leads its own process group, so a timeout can end everything it started.
    const child = spawn('git', args, { cwd: options.cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    let outBytes = 0
    let failure: { timedOut: boolean; message: string } | null = null
    const stop = (timedOut: boolean, message: string) => {
      if (failure) return
      failure = { timedOut, message }
      killGroup(child.pid)
      // A grandchild that left the group may still hold the pipes; 'close' must not wait on it.
      child.stdout.destroy()
      child.stderr.destroy()
    }
    const timer = setTimeout(() => stop(true, `no answer within ${timeoutMs} ms; killed`), timeoutMs)
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length
      if (outBytes > MAX_BUFFER) return stop(false, `output past ${MAX_BUFFER} bytes; killed`)
      out.push(chunk)
    })
    child.stderr.on('data', (chunk: Buffer) => void err.push(chunk))
    child.on('error', (cause) => {
      clearTimeout(timer)
      reject(new GitError(args, null, String(cause)))
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      const stderr = Buffer.concat(err).toString('utf8')
      if (failure) return reject(new GitError(args, code, `${failure.message}${stderr ? `\n${stderr}` : ''}`, failure.timedOut))
      if (code === 0 || (code !== null && options.okCodes?.includes(code))) return resolve({ code, stdout: Buffer.concat(out) })
      reject(new GitError(args, code, stderr))
    })
    // A command that exits before reading its input closes the pipe; its exit code tells the story.
    child.stdin.on('error', () => undefined)
    if (options.input === undefined) child.stdin.end()
    else child.stdin.end(options.input)
  })

/** The command's output as trimmed text. */
export const gitText = async (args: string[], options: GitOptions): Promise<string> => (await git(args, options)).stdout.toString('utf8').trim()

/** NUL-separated output (`-z`) as a list, without the empty tail. */
export const gitList = async (args: string[], options: GitOptions): Promise<string[]> =>
  (await git(args, options)).stdout.toString('utf8').split('\0').filter((s) => s.length > 0)
