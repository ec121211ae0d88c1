import { defineConfig } from 'vitest/config'

/** The soak's checker test and the short soak (about a minute of load and every fault kind). */
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/soak/**/*.test.ts'],
    environment: 'node',
    testTimeout: 240_000,
    hookTimeout: 60_000,
  },
})
