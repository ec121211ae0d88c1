import { defineConfig } from 'drizzle-kit'

export default defineConfig({ out: './drizzle/workspace', schema: './worker/store/workspace-schema.ts', dialect: 'sqlite', driver: 'durable-sqlite' })
