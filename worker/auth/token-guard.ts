/**
 * @module TokenGuard: one small Durable Object per token id, asked on every authenticated
 * request and socket upgrade. It holds whether the token is revoked (stored, until the token
 * expires), its rate bucket (in memory: an evicted guard starts full, erring for the caller),
 * and the workspaces the token named, so a revocation knows where its sockets may be open.
 */
import { DurableObject } from 'cloudflare:workers'
import { take, type Bucket, type Rate } from '../middleware/rate-limit/bucket.ts'

export type Verdict = { revoked: boolean; retryAfterMs: number }

const REVOKED = 'revoked'
const WORKSPACES = 'workspaces'
const EXP = 'exp'

export class TokenGuard extends DurableObject {
  private bucket: Bucket | undefined
  private seen: Set<string> | undefined
  private exp: number | null | undefined

  /**
   * Whether the token is revoked, else the wait its rate asks for (0: pass). `served` counts
   * the requests an edge isolate let through on its last verdict since it last asked.
   */
  check(rate: Rate | null, workspaces: string[], exp: number, served = 0): Verdict {
    if (this.ctx.storage.kv.get(REVOKED) === true) return { revoked: true, retryAfterMs: 0 }
    this.remember(workspaces, exp)
    if (!rate) return { revoked: false, retryAfterMs: 0 }
    const result = take(this.bucket, rate, Date.now(), served)
    this.bucket = result.bucket
    return { revoked: false, retryAfterMs: result.retryAfterMs }
  }

  /** Revokes the token until it expires; the workspaces it was used in, to close its sockets there. */
  async revoke(exp: number | null): Promise<string[]> {
    this.ctx.storage.kv.put(REVOKED, true)
    // Kept a day past expiry (clock skew), then forgotten: an expired token is refused anyway.
    // The expiry is the later of the caller's and the one the token showed here (an `exp` given
    // too early must not let the token back in before it expires), else a year from now.
    const shown = this.ctx.storage.kv.get(EXP) as number | undefined
    const known = exp !== null && shown !== undefined ? Math.max(exp, shown) : (exp ?? shown ?? Math.floor(Date.now() / 1000) + 365 * 86_400)
    await this.ctx.storage.setAlarm(known * 1000 + 86_400_000)
    return [...this.workspaces()]
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll()
  }

  private workspaces(): Set<string> {
    this.seen ??= new Set((this.ctx.storage.kv.get(WORKSPACES) as string[] | undefined) ?? [])
    return this.seen
  }

  private remember(workspaces: string[], exp: number): void {
    const seen = this.workspaces()
    this.exp ??= (this.ctx.storage.kv.get(EXP) as number | undefined) ?? null
    if (this.exp === exp && workspaces.every((w) => seen.has(w))) return
    this.exp = exp
    for (const w of workspaces) seen.add(w)
    this.ctx.storage.kv.put(WORKSPACES, [...seen])
    this.ctx.storage.kv.put(EXP, exp)
    // What the guard stores lasts only as long as the token.
    void this.ctx.storage.setAlarm(exp * 1000 + 86_400_000)
  }
}
