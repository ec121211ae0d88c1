/** @module The workspace object's state: its database and which workspace it is. */
import type { Env } from '../env.ts'
import { openWorkspaceDb, type WorkspaceDb } from '../store/workspace/open.ts'
import { meta } from '../store/workspace-schema.ts'
import { eq } from 'drizzle-orm'

export class WorkspaceRuntime {
  readonly ctx: DurableObjectState
  readonly env: Env
  db!: WorkspaceDb
  workspaceId = ''

  constructor(ctx: DurableObjectState, env: Env) {
    this.ctx = ctx
    this.env = env
  }

  async load(): Promise<void> {
    this.db = await openWorkspaceDb(this.ctx.storage)
    this.workspaceId = this.db.select().from(meta).where(eq(meta.key, 'workspace_id')).get()?.value ?? ''
  }

  /** Objects are addressed by name; the first caller tells this one which workspace it is. */
  know(workspaceId: string): void {
    if (this.workspaceId === workspaceId) return
    if (this.workspaceId !== '') throw new Error(`workspace object ${this.workspaceId} addressed as ${workspaceId}`)
    this.workspaceId = workspaceId
    this.db.insert(meta).values({ key: 'workspace_id', value: workspaceId }).onConflictDoNothing().run()
  }
}
