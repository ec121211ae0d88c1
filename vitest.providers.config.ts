import { defineConfig } from 'vitest/config'

/** Smoke tests of the pinned real provider binaries against the fake model servers. Serial: each test spawns a provider. */
export default defineConfig({
  test: {
    include: ['test/providers/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 30_000,
    fileParallelism: false,
  },
})
