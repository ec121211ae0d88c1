/**
 * @module What changed between two checkpoints: per-file kind and line counts
 * (`--name-status` and `--numstat`, renames detected), and the full unified diff.
 */
import type { CheckpointFile } from '../../src/contracts/index.ts'
import { git, gitList } from './git.ts'

const DIFF_FLAGS = ['--no-color', '--no-ext-diff', '--no-textconv', '-M']

const KINDS: Record<string, CheckpointFile['kind']> = { A: 'added', M: 'modified', T: 'modified', D: 'deleted', R: 'renamed', C: 'added' }

/** `--name-status -z`: `X\0path\0`, or `R090\0old\0new\0` for a rename or copy. */
const parseNameStatus = (fields: string[]): Array<{ path: string; kind: CheckpointFile['kind'] }> => {
  const out: Array<{ path: string; kind: CheckpointFile['kind'] }> = []
  for (let i = 0; i < fields.length; ) {
    const status = fields[i] ?? ''
    const letter = status[0] ?? 'M'
    const twoPaths = letter === 'R' || letter === 'C'
    const path = fields[twoPaths ? i + 2 : i + 1] ?? ''
    out.push({ path, kind: KINDS[letter] ?? 'modified' })
    i += twoPaths ? 3 : 2
  }
  return out
}

/** `--numstat -z`: `add\tdel\tpath\0`, or `add\tdel\t\0old\0new\0` for a rename; `-` counts of a binary file are 0. */
const parseNumstat = (fields: string[]): Map<string, { additions: number; deletions: number }> => {
  const out = new Map<string, { additions: number; deletions: number }>()
  for (let i = 0; i < fields.length; ) {
    const [add = '-', del = '-', path = ''] = (fields[i] ?? '').split('\t')
    const renamed = path === ''
    const key = renamed ? (fields[i + 2] ?? '') : path
    out.set(key, { additions: add === '-' ? 0 : Number(add), deletions: del === '-' ? 0 : Number(del) })
    i += renamed ? 3 : 1
  }
  return out
}

export const fileChanges = async (cwd: string, from: string, to: string): Promise<CheckpointFile[]> => {
  const [status, counts] = await Promise.all([
    gitList(['diff', ...DIFF_FLAGS, '--name-status', '-z', from, to], { cwd }),
    gitList(['diff', ...DIFF_FLAGS, '--numstat', '-z', from, to], { cwd }),
  ])
  const lines = parseNumstat(counts)
  return parseNameStatus(status).map(({ path, kind }) => ({ path, kind, additions: lines.get(path)?.additions ?? 0, deletions: lines.get(path)?.deletions ?? 0 }))
}

/** The unified diff from one commit to another (binary files are named, not inlined). */
export const unifiedDiff = async (cwd: string, from: string, to: string): Promise<string> =>
  (await git(['diff', ...DIFF_FLAGS, '--full-index', from, to], { cwd })).stdout.toString('utf8')
