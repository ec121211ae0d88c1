/** @module Opening a workspace's database, migrations applied once. */
import { drizzle, type DrizzleSqliteDODatabase } from 'drizzle-orm/durable-sqlite'
import { migrate } from 'drizzle-orm/durable-sqlite/migrator'
import migrations from '../../../drizzle/workspace/migrations.js'
import * as schema from '../workspace-schema.ts'

export type WorkspaceDb = DrizzleSqliteDODatabase<typeof schema>

export const openWorkspaceDb = async (storage: DurableObjectStorage): Promise<WorkspaceDb> => {
  const db = drizzle(storage, { schema })
  await migrate(db, migrations)
  return db
}
