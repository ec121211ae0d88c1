import { defineConfig } from 'vitest/config'

/** Pure units under Node: contracts, domain, client, runner and fixture code. No workerd. */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'runner/**/*.test.ts', 'fixtures/**/*.test.ts', 'test/unit/**/*.test.ts'],
    environment: 'node',
  },
})
