import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // end-to-end tests start servers and kubectl processes; keep the 2-core machine calm
    maxWorkers: 2,
  },
});
