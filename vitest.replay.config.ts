import { defineConfig } from 'vitest/config'

/**
 * Whole-system replays (test/replay/): the bundled worker in Miniflare on 127.0.0.1, the real
 * runner and adapters in-process on replay transports. One file at a time (they share a
 * machine's CPU), all in one worker process that imports the harness once (`isolate: false`;
 * the files keep no state in shared modules); the bundle is built once for the suite, and only
 * when a source changed (test/replay/support/bundle-once.ts).
 */
export default defineConfig({
  test: {
    include: ['test/replay/**/*.test.ts'],
    globalSetup: ['test/replay/support/bundle-once.ts'],
    environment: 'node',
    fileParallelism: false,
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
