import { defineConfig } from 'vitest/config'
import { cloudflareTest } from '@cloudflare/vitest-pool-workers'

/** Worker and Durable Object tests, inside workerd. Lease and idle times are seconds here. */
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          LOOM_JWT_SECRET: 'test-secret-not-for-production-0123456789',
          LOOM_LEASE_SECONDS: '2',
          LOOM_IDLE_SECONDS: '3',
        },
      },
    }),
  ],
  test: {
    include: ['test/worker/**/*.test.ts'],
    testTimeout: 30_000,
  },
})
