/**
 * @module Test support: throwaway git repositories in the temp folder, and a byte-exact
 * picture of what a user would see (files, index, HEAD, refs) to prove nothing was touched.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'

export const sh = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'User', GIT_AUTHOR_EMAIL: 'user@example.com', GIT_COMMITTER_NAME: 'User', GIT_COMMITTER_EMAIL: 'user@example.com', GIT_OPTIONAL_LOCKS: '0' } })

export const write = (root: string, path: string, content: string | Buffer): void => {
  mkdirSync(dirname(join(root, path)), { recursive: true })
  writeFileSync(join(root, path), content)
}

export const tempDir = (name: string): string => mkdtempSync(join(tmpdir(), `loom-${name}-`))

/**
 * A repository with two commits' worth of history and a dirty working state: a modified file,
 * a staged new file, an untracked file, a file deleted but not staged, and an ignored file.
 */
export const dirtyRepo = (): string => {
  const root = tempDir('repo')
  sh(root, 'init', '--quiet', '--initial-branch=main')
  write(root, 'README.md', 'hello\nworld\n')
  write(root, 'src/app.ts', 'export const a = 1\n')
  write(root, 'src/old-name.ts', 'line 1\nline 2\nline 3\nline 4\nline 5\n')
  write(root, 'gone.txt', 'to be deleted\n')
  write(root, '.gitignore', 'build/\n')
  sh(root, 'add', '-A')
  sh(root, 'commit', '--quiet', '-m', 'first')
  write(root, 'README.md', 'hello\nworld, edited\n')
  write(root, 'staged.txt', 'staged content\n')
  sh(root, 'add', 'staged.txt')
  write(root, 'notes/untracked.md', 'untracked\n')
  sh(root, 'rm', '--quiet', '--cached', 'gone.txt')
  write(root, 'build/out.js', 'ignored\n')
  return root
}

/** Every file under `dir` (not `.git`, not `.loom`) with its bytes. */
export const filesUnder = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {}
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const full = join(at, name)
      if (name === '.git' || name === '.loom') continue
      if (statSync(full).isDirectory()) walk(full)
      else out[relative(dir, full)] = readFileSync(full).toString('base64')
    }
  }
  walk(dir)
  return out
}

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/** What the user could notice: working files, index bytes, HEAD, branches and tags, stash. */
export const userView = (root: string) => ({
  files: filesUnder(root),
  index: sha(readFileSync(join(root, '.git', 'index'))),
  head: readFileSync(join(root, '.git', 'HEAD'), 'utf8'),
  refs: sh(root, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads', 'refs/tags', 'refs/stash'),
  status: sh(root, 'status', '--porcelain=v1', '--untracked-files=all'),
})
