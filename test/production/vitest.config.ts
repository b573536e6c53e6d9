// The production tier: Lazarus on a Temporal cluster shaped like production (PostgreSQL, four
// services, mTLS). Its own config, so `npm test` never starts a cluster, and one file at a time:
// the cluster and two workers want the machine's two cores.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/production/**/*.production.ts'],
    pool: 'forks',
    maxWorkers: 1,
    // A recovery with a worker SIGKILLed waits out the lost activities' start-to-close timeouts.
    testTimeout: 300_000,
    // The first run on a machine builds Temporal Server from source.
    hookTimeout: 1_800_000,
    teardownTimeout: 60_000,
  },
});
