import { defineConfig } from 'drizzle-kit'

export default defineConfig({ out: './drizzle/thread', schema: './worker/store/thread-schema.ts', dialect: 'sqlite', driver: 'durable-sqlite' })
