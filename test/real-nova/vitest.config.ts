// The real-Nova tier: its own config, so `npm test` (which includes test/**/*.test.ts) never
// starts a real Nova, and this suite runs alone with the machine to itself.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Paths below are the repository's, wherever vitest is started from.
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/real-nova/**/*.real-nova.ts'],
    pool: 'forks',
    // One file at a time: a real Nova takes most of two cores and 1.7 GB.
    maxWorkers: 1,
    // The end-to-end suite runs Lazarus's workers against the same dev server `npm test` uses.
    globalSetup: ['test/setup/temporal-dev-server.ts'],
    testTimeout: 120_000,
    // Installs (first run only) and the start of a dozen OpenStack processes on two cores.
    hookTimeout: 600_000,
    teardownTimeout: 60_000,
  },
});
