import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Forks, not threads: the Temporal worker's native bridge and child processes want real processes.
    pool: 'forks',
    // Two cores: two test files at a time, sharing one dev server started by the global setup.
    maxWorkers: 2,
    globalSetup: ['test/setup/temporal-dev-server.ts'],
    setupFiles: ['test/setup/quiet-worker-logs.ts'],
    // Integration tests bundle workflows and wait on a real server; a minute is a generous ceiling.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
