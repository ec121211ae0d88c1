/**
 * @module Where Loom keeps a thread's checkpoints: a private ref namespace
 * (`refs/loom/...`), never the user's branches, tags or stash.
 */

/** A thread id as one ref component and one directory name: only `[A-Za-z0-9_-]` stays, the rest is %XX. */
export const refSegment = (threadId: string): string =>
  [...new TextEncoder().encode(threadId)].map((b) => (/[A-Za-z0-9_-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('')

/** The state after run `ordinal` (0: the thread's starting state). */
export const checkpointRef = (threadId: string, ordinal: number): string => `refs/loom/checkpoints/${refSegment(threadId)}/${ordinal}`

/** The state right before run `ordinal` started: what that run's own diff is taken against. */
export const baselineRef = (threadId: string, ordinal: number): string => `refs/loom/baselines/${refSegment(threadId)}/${ordinal}`

/** The checkpoint the worktree last matched (captured or rolled back to): the next checkpoint's diff base. */
export const headRef = (threadId: string): string => `refs/loom/heads/${refSegment(threadId)}`
