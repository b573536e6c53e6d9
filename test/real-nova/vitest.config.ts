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
    // Every file starts a Nova of its own (1.7 GB each), all at once: starting one is mostly
    // single-threaded Python (schema migrations), so three side by side share two cores well.
    maxWorkers: 3,
    // The installs once, first; then the dev server the end-to-end suite's workers use.
    globalSetup: ['test/real-nova/install-once.ts', 'test/setup/temporal-dev-server.ts'],
    testTimeout: 120_000,
    // The start of a dozen OpenStack processes per file, three files at once on two cores.
    hookTimeout: 600_000,
    teardownTimeout: 60_000,
  },
});
