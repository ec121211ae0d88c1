/** @module Opening a thread's database: drizzle over (metered) storage, migrations applied once. */
import { drizzle, type DrizzleSqliteDODatabase } from 'drizzle-orm/durable-sqlite'
import { migrate } from 'drizzle-orm/durable-sqlite/migrator'
import migrations from '../../../drizzle/thread/migrations.js'
import * as schema from '../thread-schema.ts'
import { meteredStorage, type SqlMeter } from '../metered-sql.ts'

export type ThreadDb = DrizzleSqliteDODatabase<typeof schema>

export const openThreadDb = async (storage: DurableObjectStorage, meter: SqlMeter): Promise<ThreadDb> => {
  const db = drizzle(meteredStorage(storage, meter), { schema })
  await migrate(db, migrations)
  return db
}
