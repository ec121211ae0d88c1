import { defineConfig } from 'vitest/config'

/**
 * End-to-end: the worker in Miniflare, real `loom-runner` processes, 127.0.0.1 only. One file
 * at a time (they share a machine's ports and CPU); timeouts allow for lease and idle timers.
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
